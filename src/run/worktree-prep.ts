import { execFile } from 'node:child_process';
import { constants, cpSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { cp as copyTree, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from '../config/types.js';
import type { SetupPlan } from './setup-plan.js';

/** Runs one setup command in a worktree (inside the sandbox where there is one): why it failed, or undefined. */
export type RunSetup = (command: Command, cwd: string, why: string) => Promise<string | undefined>;

/**
 * Makes a new worktree ready: the user's files copied, folders linked, and
 * the setup run (or, while the lockfile is the user's, the user's dependency
 * folder borrowed, or copied for a task that may change it). Returns why it could not, in words that say it was the
 * setup (not the agent, not a gate), or undefined when ready. Nothing here
 * overwrites a file the worktree's commit has.
 */
export async function prepareWorktree(worktree: string, root: string, plan: SetupPlan, run: RunSetup): Promise<{ failed?: string; notes: string[] }> {
  const notes: string[] = [];
  for (const p of plan.copy) {
    const from = path.join(root, p);
    const to = path.join(worktree, p);
    if (existsSync(from) && !existsSync(to)) cpSync(from, to, { recursive: true });
  }
  for (const p of plan.link) linkFrom(root, worktree, p);
  if (plan.reuse && sameFile(path.join(root, plan.reuse.lockfile), path.join(worktree, plan.reuse.lockfile)) && existsSync(path.join(root, plan.reuse.dir))) {
    const { dir, lockfile, copy } = plan.reuse;
    if (copy ? await copyFrom(root, worktree, dir) : linkFrom(root, worktree, dir)) {
      notes.push(`setup: ${dir} ${copy ? 'copied' : 'borrowed'} from your tree (${lockfile} unchanged)`);
      return { notes };
    }
  }
  for (const step of plan.setup) {
    const t0 = Date.now();
    const failed = await run(step.command, worktree, step.why);
    const text = 'shell' in step.command ? step.command.shell : step.command.argv.join(' ');
    if (failed) return { failed: `the worktree's setup failed, so nothing ran there: \`${text}\` (${step.why}) ${failed}`, notes };
    notes.push(`setup: \`${text}\` (${step.why}) ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  return { notes };
}

/** A link in the worktree to the user's folder, unless the worktree has its own (tracked) one. */
function linkFrom(root: string, worktree: string, p: string): boolean {
  const from = path.join(root, p);
  const to = path.join(worktree, p);
  if (!existsSync(from) || existsSync(to)) return false;
  symlinkSync(from, to);
  return true;
}

/**
 * The user's folder copied into the worktree, unless the worktree has its own:
 * GNU cp clones the files where the filesystem can (btrfs, xfs) and copies
 * them elsewhere, twice as fast as Node's fs.cp here; where cp is not GNU's,
 * fs.cp with a clone-or-copy mode. False: not copied (the install runs instead).
 */
async function copyFrom(root: string, worktree: string, p: string): Promise<boolean> {
  const from = path.join(root, p);
  const to = path.join(worktree, p);
  if (!existsSync(from) || existsSync(to)) return false;
  const cp = await new Promise<boolean>((resolve) => execFile('cp', ['-a', '--reflink=auto', from, to], (err) => resolve(!err)));
  if (cp) return true;
  await rm(to, { recursive: true, force: true });
  try {
    await copyTree(from, to, { recursive: true, mode: constants.COPYFILE_FICLONE, verbatimSymlinks: true, preserveTimestamps: true });
    return true;
  } catch {
    await rm(to, { recursive: true, force: true });
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}
