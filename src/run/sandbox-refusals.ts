import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { intrusions, refusedWrites } from '../sandbox/refusals.js';

/** The first few writes the sandbox refused are noted (the record and `logs` show them); more would be noise. */
const MAX_REFUSAL_NOTES = 3;
/** Refused writes looked at for an aim at the user's repository. */
const MAX_SCANNED = 50;
/** Refusals come early or not at all: the first 4 MB of an attempt's output is enough. */
const MAX_READ = 4 * 1024 * 1024;

export function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** What an agent's log holds past `from`: one attempt's output, bounded. */
function readFrom(file: string, from: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(Math.max(0, Math.min(sizeOf(file) - from, MAX_READ)));
    readSync(fd, buf, 0, buf.length, from);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * What a sandboxed attempt's output says of the writes it was refused (all
 * orchestra sees of them is the error the agent printed): the notes to make,
 * and why the attempt must fail when one aimed at the user's repository.
 */
export function sandboxRefusals(logFile: string, from: number, cwd: string, repoRoot: string | undefined): { notes: string[]; intruded?: string } {
  const refused = refusedWrites(readFrom(logFile, from), MAX_SCANNED);
  const notes = refused.slice(0, MAX_REFUSAL_NOTES).map((said) => `the sandbox refused a write: ${said}`);
  const aimed = repoRoot ? intrusions(refused, cwd, repoRoot) : [];
  return aimed.length ? { notes, intruded: `tried to write your repository outside its worktree (the sandbox refused it): ${aimed.join(', ')}` } : { notes };
}
