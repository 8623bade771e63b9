import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Mount } from './bwrap-args.js';

/**
 * git inside the sandbox: the agent may status, diff, log, add and commit in
 * its worktree, and none of it reaches the repository. The repository's
 * `.git` is read-only; on top of it, private copies (in a scratch folder of
 * orchestra's, outside the sandbox's reach once it ends) take every write git
 * makes for this worktree:
 *
 * - the worktree's own git folder (`.git/worktrees/<name>`: HEAD, index);
 * - the object folder: an empty one whose `info/alternates` names the real
 *   objects, mounted read-only beside it, so old objects are read and new
 *   ones land in the copy;
 * - the folder of its branch's ref and reflog (`refs/heads/orchestra-task/<run>/`),
 *   so a commit moves only the copy of its own branch.
 *
 * Hooks, config, the user's refs, HEAD and index stay read-only. orchestra
 * never reads the copies back: what the agent did is what its worktree's
 * files say, committed by orchestra outside the sandbox.
 */
export interface GitView {
  readonly mounts: readonly Mount[];
}

/** Where the worktree's git state lives, read from its `.git` file; undefined for anything but a linked worktree. */
export function linkedGitDirs(worktree: string): { own: string; common: string; branchRef?: string } | undefined {
  const dotGit = path.join(worktree, '.git');
  let own: string;
  try {
    const m = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m?.[1]) return undefined;
    own = path.resolve(worktree, m[1].trim());
  } catch {
    return undefined;
  }
  const common = path.resolve(own, readFileSync(path.join(own, 'commondir'), 'utf8').trim());
  const head = readFileSync(path.join(own, 'HEAD'), 'utf8');
  const ref = /^ref: (refs\/heads\/\S+)/.exec(head)?.[1];
  return { own, common, ...(ref ? { branchRef: ref } : {}) };
}

/**
 * Makes the scratch copies for one agent in `scratch` (made anew) and
 * returns the mounts that put them in place. A worktree that is not a linked
 * worktree gets the repository read-only and nothing more.
 */
export function prepareGitView(worktree: string, scratch: string): GitView {
  const dirs = linkedGitDirs(worktree);
  if (!dirs) return { mounts: [] };
  // A run killed mid-agent leaves its scratch behind; a resumed run's attempt of the same name starts from nothing.
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const own = path.join(scratch, 'gitdir');
  copyRefs(dirs.own, own);
  const shared = path.join(scratch, 'shared-objects');
  const objects = path.join(scratch, 'objects');
  mkdirSync(shared);
  mkdirSync(path.join(objects, 'info'), { recursive: true });
  writeFileSync(path.join(objects, 'info', 'alternates'), `${shared}\n`);
  const mounts: Mount[] = [
    // Explicitly: a repository under /tmp would otherwise be hidden by the private /tmp.
    { kind: 'ro', src: dirs.common, dest: dirs.common },
    { kind: 'rw', src: own, dest: dirs.own },
    { kind: 'ro', src: path.join(dirs.common, 'objects'), dest: shared },
    { kind: 'rw', src: objects, dest: path.join(dirs.common, 'objects') },
  ];
  // orchestra's branches live in a namespace folder of their own; a branch straight under refs/heads keeps its ref read-only.
  const refFolder = dirs.branchRef ? path.posix.dirname(dirs.branchRef) : undefined;
  if (refFolder && refFolder !== 'refs/heads') {
    for (const [name, under] of [
      ['refs', refFolder],
      ['logs', `logs/${refFolder}`],
    ] as const) {
      const real = path.join(dirs.common, under);
      if (!existsSync(real)) continue;
      const copy = path.join(scratch, name);
      copyRefs(real, copy);
      mounts.push({ kind: 'rw', src: copy, dest: real });
    }
  }
  return { mounts };
}

/**
 * Copies a folder of git's while other tasks' git commands may be writing in
 * it: their `*.lock` files come and go (a sibling branch's ref is locked while
 * it moves), and are never part of a ref's state, so they are not copied; a
 * file that vanished between listing and copying (a ref deleted meanwhile)
 * means the folder changed under us, and one fresh copy is taken.
 */
function copyRefs(src: string, dest: string): void {
  const copy = (): void => cpSync(src, dest, { recursive: true, filter: (from) => !from.endsWith('.lock') });
  try {
    copy();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    rmSync(dest, { recursive: true, force: true });
    copy();
  }
}
