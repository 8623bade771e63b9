import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/types.js';
import { languagesOf, summarizeTree, type FileEntry } from './tree-summary.js';

/** What a planner is told about the repository: each part bounded, so the prompt is too. */
export interface Facts {
  readonly root: string;
  /** The file tree with sizes, folded to fit (tree-summary.ts). */
  readonly tree: string;
  readonly fileCount: number;
  readonly languages: readonly { name: string; files: number; bytes: number }[];
  /** The config's gates: name and what it runs. */
  readonly gates: readonly { name: string; what: string }[];
  readonly presets: readonly string[];
  /** Phases the config has already (the plan adds its own beside them). */
  readonly phases: readonly string[];
  readonly agents: readonly { id: string; roles: readonly string[]; use?: string }[];
  /** SPEC.md (or the config's `spec:`), cut to its budget. */
  readonly spec?: { readonly file: string; readonly text: string };
}

export const BUDGET = {
  tree: 16_000,
  spec: 12_000,
  gate: 200,
  /** Files listed at most: past this the tree says how many it left out. */
  files: 200_000,
};

/** The repository's files (tracked and untracked, not ignored) with their sizes; `.orchestra/` never. */
export function listRepoFiles(root: string, max = BUDGET.files): FileEntry[] {
  let out: string;
  try {
    out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return [];
  }
  const entries: FileEntry[] = [];
  const seen = new Set<string>();
  for (const rel of out.split('\0')) {
    if (!rel || rel.startsWith('.orchestra/') || seen.has(rel)) continue;
    seen.add(rel);
    if (entries.length >= max) break;
    let size = 0;
    try {
      size = lstatSync(path.join(root, rel)).size;
    } catch {
      continue; // deleted in the working tree
    }
    entries.push({ path: rel, size });
  }
  return entries;
}

function clip(text: string, budget: number): string {
  return text.length <= budget ? text : `${text.slice(0, budget)}\n… (cut: ${text.length - budget} more characters)`;
}

/** The facts, from the loaded config and a listing of the repo's files (passed in, so tests give 20,000 without a disk). */
export function gatherFacts(config: Config, files: readonly FileEntry[], presets: readonly string[]): Facts {
  const gates = [...config.gates.values()]
    .filter((g) => g.enabled)
    .map((g) => ({
      name: g.name,
      what: clip(g.rule ? `rule ${g.rule.id}` : g.run ? ('shell' in g.run ? g.run.shell : g.run.argv.join(' ')) : '', BUDGET.gate),
    }));
  const specFile = [path.join(config.root, 'SPEC.md')].find((f) => existsSync(f));
  return {
    root: config.root,
    tree: summarizeTree(files, BUDGET.tree),
    fileCount: files.length,
    languages: languagesOf(files),
    gates,
    presets,
    phases: config.phases.map((p) => p.id),
    agents: (config.team?.agents ?? []).map((a) => ({ id: a.id, roles: a.roles, ...(a.use ? { use: a.use } : {}) })),
    ...(specFile ? { spec: { file: 'SPEC.md', text: clip(readHead(specFile, BUDGET.spec + 1), BUDGET.spec) } } : {}),
  };
}

/** The first `chars` characters' worth of a file, never the whole of a huge one. */
function readHead(file: string, chars: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(chars * 4);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
