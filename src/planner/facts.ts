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

/**
 * The repository's files with their sizes; `.orchestra/` never. Tracked files
 * with their size at HEAD, read from git in one call (a stat of each of 20,000
 * files costs seconds on a busy machine); untracked, not ignored ones (and all
 * of them before the first commit) with a stat each.
 */
export function listRepoFiles(root: string, max = BUDGET.files): FileEntry[] {
  const git = (args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
  };
  const entries: FileEntry[] = [];
  const seen = new Set<string>();
  const add = (rel: string, size: number | undefined): void => {
    if (!rel || rel.startsWith('.orchestra/') || seen.has(rel) || entries.length >= max) return;
    seen.add(rel);
    if (size === undefined) {
      try {
        size = lstatSync(path.join(root, rel)).size;
      } catch {
        return; // deleted in the working tree
      }
    }
    entries.push({ path: rel, size });
  };
  const tree = git(['ls-tree', '-r', '-l', '-z', '--full-tree', 'HEAD']);
  // "<mode> <type> <object> <size>\t<path>"; a submodule's size is "-".
  for (const line of (tree ?? '').split('\0')) {
    const m = /^\d+ (\w+) \S+ +(\S+)\t(.*)$/s.exec(line);
    if (m && m[1] === 'blob') add(m[3] as string, Number(m[2]));
  }
  for (const rel of (git(['ls-files', '-z', '--others', '--exclude-standard', ...(tree === undefined ? ['--cached'] : [])]) ?? '').split('\0'))
    add(rel, undefined);
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
