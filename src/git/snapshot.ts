import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A hook's git environment names the repository and, for pre-commit, the index
 * being committed (GIT_INDEX_FILE: a temporary one for `git commit -a`). The
 * snapshot's own git calls, and the gates run in it, must not inherit them:
 * a checkout with the user's GIT_INDEX_FILE would rewrite the user's index.
 */
const HOOK_GIT_ENV = ['GIT_INDEX_FILE', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_PREFIX'];

/** The environment without the hook's git variables: git finds the repository from the folder, as a user's git would. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of HOOK_GIT_ENV) delete env[name];
  return env;
}

function git(args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-c', 'core.hooksPath=/dev/null', ...args], { cwd, env, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) =>
      err ? reject(new Error(`git ${args.join(' ')}: ${(stderr || err.message).trim()}`)) : resolve(stdout),
    );
  });
}

const nulList = (out: string): string[] => out.split('\0').filter(Boolean);

/** Untracked files git does not ignore, relative to `cwd`. */
async function untracked(cwd: string): Promise<string[]> {
  return nulList(await git(['ls-files', '-z', '-o', '--exclude-standard'], cwd));
}

/** Paths under `cwd` (relative to it) where the working tree is not `commit`: changed, staged or untracked. */
export async function treeDiffersFrom(cwd: string, commit: string): Promise<string[]> {
  const [changed, extra] = await Promise.all([git(['diff', '--no-ext-diff', '--name-only', '--relative', '-z', commit], cwd), untracked(cwd)]);
  return [...new Set([...nulList(changed), ...extra])];
}

/** Paths under `cwd` where the working tree is not the index: unstaged changes and untracked files. */
export async function unstagedPaths(cwd: string): Promise<string[]> {
  // The hook's own index (GIT_INDEX_FILE) is the one being committed: compare with it.
  const [changed, extra] = await Promise.all([git(['diff', '--no-ext-diff', '--name-only', '--relative', '-z'], cwd, process.env), untracked(cwd)]);
  return [...new Set([...nulList(changed), ...extra])];
}

/** The tree the index holds (what a commit now would record), written to the object store; nothing else changes. */
export async function indexTree(cwd: string): Promise<string> {
  return (await git(['write-tree'], cwd, process.env)).trim();
}

export async function headCommit(cwd: string): Promise<string | undefined> {
  return (await git(['rev-parse', '--verify', '-q', 'HEAD'], cwd).catch(() => '')).trim() || undefined;
}

/** Folders a checkout lacks but gates need (installed dependencies): linked from the user's tree into the snapshot. */
const DEPENDENCY_DIRS = ['node_modules', '.venv', 'venv'];

export interface Snapshot {
  /** The snapshot's counterpart of the config's folder: where its gates run. */
  readonly root: string;
  dispose(): Promise<void>;
}

/**
 * A temporary worktree holding `treeish` (a commit, or the index's tree) as
 * files, in the system's temp folder. The user's working tree, index and
 * branches are never touched; `dispose` removes it and git's record of it.
 */
export async function snapshot(configRoot: string, treeish: string): Promise<Snapshot> {
  const top = (await git(['rev-parse', '--show-toplevel'], configRoot)).trim();
  const base = (await headCommit(configRoot)) ?? treeish;
  const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-snapshot-'));
  const dispose = async (): Promise<void> => {
    await git(['worktree', 'remove', '--force', dir], top).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await git(['worktree', 'prune'], top).catch(() => undefined);
  };
  try {
    await git(['worktree', 'add', '--detach', '--no-checkout', '-q', dir, base], top);
    // An empty index plus --reset -u writes every file of the tree: one checkout, of exactly that tree.
    await git(['read-tree', '-u', '--reset', treeish], dir);
  } catch (e) {
    await dispose();
    throw e;
  }
  const root = path.join(dir, path.relative(top, configRoot));
  for (const name of DEPENDENCY_DIRS) {
    const from = path.join(configRoot, name);
    const to = path.join(root, name);
    if (existsSync(from) && !existsSync(to)) symlinkSync(from, to);
  }
  return { root, dispose };
}

/** Gates run in a snapshot must see its repository, not the hook's. */
export function forgetHookGitEnv(): void {
  for (const name of HOOK_GIT_ENV) delete process.env[name];
}
