import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * One `git status` answers what a pre-push hook and the gate cache each used
 * to ask git separately: where the working tree differs from HEAD (staged or
 * not), where it differs from the index, and what is untracked. Paths in
 * porcelain output are always relative to the repository's top folder.
 */
export interface TreeStatus {
  /** Differs from HEAD: staged, unstaged, renamed (both names) or untracked. */
  readonly fromHead: readonly string[];
  /** Differs from the index: unstaged changes (deletions too) and untracked files, as `git ls-files -m -o` lists them. */
  readonly fromIndex: readonly string[];
}

/** `git status --porcelain=v1 -z` output: `XY path\0`, and for a rename or copy `XY new\0old\0`. */
export function parseStatusZ(out: string): TreeStatus {
  const fields = out.split('\0');
  const fromHead: string[] = [];
  const fromIndex: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] as string;
    if (entry.length < 4) continue;
    const x = entry[0] as string;
    const y = entry[1] as string;
    const file = entry.slice(3);
    if (x === '!') continue; // ignored: never listed without --ignored, never read
    fromHead.push(file);
    if (x === 'R' || x === 'C') {
      const old = fields[++i];
      if (old) fromHead.push(old);
    }
    if (y !== ' ') fromIndex.push(file);
  }
  return { fromHead, fromIndex };
}

/** Paths under `prefix` (a folder relative to the top, '' for the top), made relative to it. */
export function under(paths: readonly string[], prefix: string): string[] {
  if (prefix === '') return [...paths];
  const p = `${prefix.split(path.sep).join('/')}/`;
  return paths.filter((f) => f.startsWith(p)).map((f) => f.slice(p.length));
}

/**
 * The status of the checkout around `cwd`. No optional locks: this runs beside
 * other git readers and must not take the index lock to refresh it.
 */
export function treeStatus(cwd: string, env: NodeJS.ProcessEnv): Promise<TreeStatus> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['--no-optional-locks', '-c', 'core.hooksPath=/dev/null', 'status', '--porcelain=v1', '-z', '--untracked-files=all'],
      { cwd, env, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => (err ? reject(new Error(`git status: ${(stderr || err.message).trim()}`)) : resolve(parseStatusZ(stdout))),
    );
  });
}

/** `git ls-files -s -z` at `top`: the index's entries, paths from the top. */
export function indexListing(top: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['ls-files', '-s', '-z'], { cwd: top, env, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}
