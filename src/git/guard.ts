import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Repo } from './repo.js';

/**
 * What orchestra promises to leave alone in the user's repository, as it was
 * when the run started: the user's refs (every ref outside orchestra's own
 * namespaces), HEAD, what the index stages, the working tree's status, the
 * hooks and the config. Hooks and config are kept byte for byte so that they
 * can be put back.
 */
export interface RepoSnapshot {
  readonly refs: ReadonlyMap<string, string>;
  readonly head: string;
  /**
   * A hash of the index file. orchestra's own looks never rewrite it
   * (--no-optional-locks), and each worktree has its own, so a change is
   * somebody else's git writing the user's index.
   */
  readonly index: string;
  /** `git status --porcelain` of the user's tree, orchestra's own folder left out. */
  readonly status: string;
  readonly hooks: ReadonlyMap<string, Buffer>;
  readonly config: Buffer | undefined;
}

/** Orchestra's own refs: its integration branches, task branches and checkpoint tags. */
const OWN = /^refs\/(heads\/orchestra(-task)?\/|tags\/orchestra\/)/;

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * Where git keeps what the guard watches: HEAD and the index in the
 * checkout's own git folder (a linked worktree has its own), refs, hooks and
 * config in the shared one.
 */
export interface GitDirs {
  readonly own: string;
  readonly common: string;
}

function files(dirs: GitDirs): { hooks: string; config: string; head: string; index: string } {
  return {
    hooks: path.join(dirs.common, 'hooks'),
    config: path.join(dirs.common, 'config'),
    head: path.join(dirs.own, 'HEAD'),
    index: path.join(dirs.own, 'index'),
  };
}

function readHooks(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (statSync(file).isFile()) out.set(name, readFileSync(file));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The checkout's own git folder and the repository's shared one, in one call. */
export async function gitDirsOf(repo: Repo): Promise<GitDirs> {
  const [own = '', common = ''] = (await repo.raw(['rev-parse', '--git-dir', '--git-common-dir'])).trim().split('\n');
  return { own: path.resolve(repo.root, own), common: path.resolve(repo.root, common) };
}

/**
 * The user's refs, read from the files git keeps them in (loose refs, then
 * packed-refs for those not loose): no process per check. Orchestra's own
 * namespaces are left out.
 */
function readRefs(commonDir: string): Map<string, string> {
  const refs = new Map<string, string>();
  const walk = (dir: string, name: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const file = path.join(dir, e);
      const ref = `${name}/${e}`;
      if (OWN.test(`${ref}/`)) continue;
      try {
        if (statSync(file).isDirectory()) walk(file, ref);
        else refs.set(ref, readFileSync(file, 'utf8').trim());
      } catch {
        // gone meanwhile: the next look sees it gone
      }
    }
  };
  walk(path.join(commonDir, 'refs'), 'refs');
  try {
    for (const line of readFileSync(path.join(commonDir, 'packed-refs'), 'utf8').split('\n')) {
      const m = /^([0-9a-f]{40,64}) (refs\/\S+)$/.exec(line);
      if (m && !refs.has(m[2] as string) && !OWN.test(m[2] as string)) refs.set(m[2] as string, m[1] as string);
    }
  } catch {
    // no packed refs
  }
  return refs;
}

/** One git process (status); refs, HEAD, the index, hooks and config are read as files. */
export async function snapshotRepo(repo: Repo, dirs: GitDirs): Promise<RepoSnapshot> {
  const f = files(dirs);
  // --no-optional-locks: looking must not rewrite the index's stat cache.
  const status = await repo.raw(['--no-optional-locks', 'status', '--porcelain', '-z', '--untracked-files=all', '--', '.', ':(exclude).orchestra']);
  return {
    refs: readRefs(dirs.common),
    head: readFileSync(f.head, 'utf8'),
    index: existsSync(f.index) ? sha(readFileSync(f.index)) : 'none',
    status,
    hooks: readHooks(f.hooks),
    config: existsSync(f.config) ? readFileSync(f.config) : undefined,
  };
}

/** What differs between the snapshot taken at the start and now, each said so that a person knows what moved. Pure. */
export function repoChanges(before: RepoSnapshot, after: RepoSnapshot): string[] {
  const out: string[] = [];
  for (const [name, id] of before.refs) {
    const now = after.refs.get(name);
    if (now === undefined) out.push(`${name} was deleted`);
    else if (now !== id) out.push(`${name} moved from ${id.slice(0, 10)} to ${now.slice(0, 10)}`);
  }
  for (const name of after.refs.keys()) if (!before.refs.has(name)) out.push(`${name} was created`);
  if (before.head !== after.head) out.push(`HEAD changed (${before.head.trim()} → ${after.head.trim()})`);
  if (before.index !== after.index) out.push('the index (what is staged) changed');
  if (before.status !== after.status) out.push('the working tree changed (git status differs)');
  for (const [name, bytes] of before.hooks) {
    const now = after.hooks.get(name);
    if (!now) out.push(`hook ${name} was removed`);
    else if (sha(now) !== sha(bytes)) out.push(`hook ${name} was changed`);
  }
  for (const name of after.hooks.keys()) if (!before.hooks.has(name)) out.push(`hook ${name} was added`);
  if ((before.config && sha(before.config)) !== (after.config && sha(after.config))) out.push('.git/config was changed');
  return out;
}

/**
 * Puts back what can be put back: refs, HEAD, hooks and config. What the
 * index stages and the working tree are the user's and are left as they are
 * (said in the failure). Returns what could not be restored.
 */
export async function restoreRepo(repo: Repo, dirs: GitDirs, before: RepoSnapshot): Promise<string[]> {
  const f = files(dirs);
  // Config first: it decides what the git calls below run.
  if (before.config) writeFileSync(f.config, before.config);
  for (const name of readHooks(f.hooks).keys()) if (!before.hooks.has(name)) rmSync(path.join(f.hooks, name), { force: true });
  if (before.hooks.size) mkdirSync(f.hooks, { recursive: true });
  for (const [name, bytes] of before.hooks) writeFileSync(path.join(f.hooks, name), bytes, { mode: 0o755 });
  writeFileSync(f.head, before.head);
  const refs = readRefs(dirs.common);
  for (const [name, id] of before.refs) if (refs.get(name) !== id) await repo.raw(['update-ref', '--no-deref', name, id]);
  for (const name of refs.keys()) if (!before.refs.has(name)) await repo.raw(['update-ref', '--no-deref', '-d', name]);
  return repoChanges(before, await snapshotRepo(repo, dirs));
}
