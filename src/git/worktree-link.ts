import { lstatSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A linked worktree's `.git` is a one-line file naming its repository, and
 * every git command run there follows it. An agent that rewrote it (to the
 * user's `.git`, or to a repository of its own with filters and hooks) would
 * have orchestra's next commit land where it chose. The sandbox keeps the
 * file read-only; without one, orchestra compares it after every agent.
 */
export function readGitLink(worktree: string): string | undefined {
  const file = path.join(worktree, '.git');
  try {
    return lstatSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Puts the file back as it was, whatever the agent left in its place (a folder, a link). */
export function restoreGitLink(worktree: string, content: string): void {
  const file = path.join(worktree, '.git');
  rmSync(file, { recursive: true, force: true });
  writeFileSync(file, content);
}
