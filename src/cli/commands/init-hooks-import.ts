import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Taking over another hook manager's list: each hook with a command of its
 * own (a lefthook `run:`, a pre-commit `repo: local` hook's `entry:`) becomes
 * a gate of the same name. The original file is only read. The mapping is
 * pure, so each shape of file is a unit test; the reading is at the bottom.
 */
export interface ImportedGate {
  readonly name: string;
  readonly run: string;
  /** The hook it came from, for the printed line: `lefthook.yml pre-commit`. */
  readonly from: string;
}

export interface HookImport {
  readonly file: string;
  readonly gates: readonly ImportedGate[];
  /** Hooks not imported, with why. */
  readonly skipped: readonly string[];
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A gate name orchestra accepts and YAML reads plainly in a list: letters, digits and `_ . -`, not starting with a symbol. */
export function gateName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
  return cleaned || 'hook';
}

/**
 * lefthook's file templates name the files git is committing or pushing; a
 * gate judges the whole project, so they become `.` (what eslint, prettier,
 * ruff and most linters take for "everything here").
 */
const LEFTHOOK_FILES = /\{(?:staged_files|push_files|all_files|files)\}/g;

const LEFTHOOK_SETTINGS = new Set([
  'parallel',
  'piped',
  'follow',
  'exclude_tags',
  'skip',
  'only',
  'files',
  'min_version',
  'source_dir',
  'source_dir_local',
  'rc',
  'output',
  'colors',
  'no_tty',
  'assert_lefthook_installed',
  'skip_output',
  'extends',
  'remotes',
  'templates',
]);

/** lefthook.yml: `<hook>: { commands: { name: { run } } }` or `<hook>: { jobs: [{ name, run }] }`; scripts are files lefthook runs itself. */
export function fromLefthook(file: string, doc: unknown): HookImport {
  const gates: ImportedGate[] = [];
  const skipped: string[] = [];
  if (!isMap(doc)) return { file, gates, skipped };
  for (const [hook, body] of Object.entries(doc)) {
    if (LEFTHOOK_SETTINGS.has(hook) || !isMap(body)) continue;
    const named: Array<[string, unknown]> = [];
    if (isMap(body['commands'])) named.push(...Object.entries(body['commands']));
    if (Array.isArray(body['jobs']))
      body['jobs'].forEach((j, i) => named.push([isMap(j) && typeof j['name'] === 'string' ? j['name'] : `${hook}-${i + 1}`, j]));
    if (isMap(body['scripts'])) for (const s of Object.keys(body['scripts'])) skipped.push(`${s} (${hook}: a lefthook script file, not a command)`);
    for (const [name, cmd] of named) {
      const run = isMap(cmd) && typeof cmd['run'] === 'string' ? cmd['run'].replace(LEFTHOOK_FILES, '.').trim() : '';
      if (run) gates.push({ name: gateName(name), run, from: `${file} ${hook}` });
      else skipped.push(`${name} (${hook}: no run command)`);
    }
  }
  return { file, gates, skipped };
}

/** .pre-commit-config.yaml: `repo: local` hooks have an `entry` (plus `args`); other repos' hooks are programs pre-commit installs itself. */
export function fromPreCommit(file: string, doc: unknown): HookImport {
  const gates: ImportedGate[] = [];
  const skipped: string[] = [];
  const repos = isMap(doc) && Array.isArray(doc['repos']) ? doc['repos'] : [];
  for (const repo of repos) {
    if (!isMap(repo) || !Array.isArray(repo['hooks'])) continue;
    for (const hook of repo['hooks']) {
      if (!isMap(hook) || typeof hook['id'] !== 'string') continue;
      const id = hook['id'];
      const entry = typeof hook['entry'] === 'string' ? hook['entry'].trim() : '';
      if (repo['repo'] !== 'local' || !entry) {
        skipped.push(`${id} (from ${String(repo['repo'])}: pre-commit installs it; a gate could run 'pre-commit run ${id} --all-files')`);
        continue;
      }
      const args = Array.isArray(hook['args']) ? hook['args'].filter((a): a is string => typeof a === 'string') : [];
      const name = typeof hook['name'] === 'string' && hook['name'].trim() ? hook['name'] : id;
      gates.push({ name: gateName(id), run: [entry, ...args.map(shellWord)].join(' '), from: `${file} (${name})` });
    }
  }
  return { file, gates, skipped };
}

/** An argument as the shell that runs a gate's string command reads it back. */
function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The hook manager files init takes over, in the order looked for. */
export const HOOK_FILES: ReadonlyArray<{ file: string; read: (file: string, doc: unknown) => HookImport }> = [
  { file: 'lefthook.yml', read: fromLefthook },
  { file: '.lefthook.yml', read: fromLefthook },
  { file: 'lefthook.yaml', read: fromLefthook },
  { file: '.pre-commit-config.yaml', read: fromPreCommit },
];

export type HookFilesRead = { readonly ok: true; readonly imports: readonly HookImport[] } | { readonly ok: false; readonly error: string };

/** Reads each hook manager's file in `dir` (never writes it); a file that is not YAML is an error at its line and column. */
export async function readHookFiles(dir: string): Promise<HookFilesRead> {
  const { parseDocument } = await import('yaml');
  const imports: HookImport[] = [];
  for (const { file, read } of HOOK_FILES) {
    const full = path.join(dir, file);
    if (!existsSync(full)) continue;
    const doc = parseDocument(readFileSync(full, 'utf8'), { prettyErrors: true });
    const bad = doc.errors[0];
    if (bad) {
      const at = bad.linePos?.[0];
      return {
        ok: false,
        error: `${file}:${at?.line ?? 1}:${at?.col ?? 1}: ${(bad.message.split('\n')[0] ?? 'not YAML').replace(/ at line \d+, column \d+:?$/, '')}`,
      };
    }
    imports.push(read(file, doc.toJS()));
  }
  return { ok: true, imports };
}
