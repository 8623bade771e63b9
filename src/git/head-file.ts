import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { unreachable } from '../util/unreachable.js';

/**
 * HEAD's commit read from git's own files instead of a `git rev-parse`
 * process: a pre-push hook asks on every push whether the pushed commit is
 * HEAD, and a process costs more than the rest of that question. Anything
 * unusual (a reftable repository, a ref that is neither loose nor packed, a
 * file that does not parse) answers undefined, and the caller asks git.
 */
export interface GitLocation {
  /** The working tree's top folder (where `.git` is). */
  readonly top: string;
  /** This checkout's git folder (a linked worktree's own, under the main one's `worktrees/`). */
  readonly gitDir: string;
  /** Where the shared refs live: the main git folder. */
  readonly commonDir: string;
}

/** What a HEAD file says: a commit (detached) or the ref it follows. */
export type HeadText = { readonly kind: 'sha'; readonly sha: string } | { readonly kind: 'ref'; readonly ref: string } | { readonly kind: 'unknown' };

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export function parseHead(text: string): HeadText {
  const line = text.trim();
  if (SHA.test(line)) return { kind: 'sha', sha: line };
  const ref = /^ref:\s*(refs\/\S+)$/.exec(line);
  return ref ? { kind: 'ref', ref: ref[1] as string } : { kind: 'unknown' };
}

/** A ref's commit in a `packed-refs` file (`<sha> <ref>` lines; `^<sha>` peels the tag above). */
export function packedRef(text: string, ref: string): string | undefined {
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space !== -1 && line.slice(space + 1).trim() === ref && SHA.test(line.slice(0, space))) return line.slice(0, space);
  }
  return undefined;
}

/** The `.git` above `cwd`, as git would find it (a folder, or a `gitdir:` file in a linked worktree). */
export function locateGit(cwd: string): GitLocation | undefined {
  try {
    for (let dir = realpathSync(cwd); ; dir = path.dirname(dir)) {
      const dotGit = path.join(dir, '.git');
      if (existsSync(dotGit)) {
        let gitDir = dotGit;
        if (!statSync(dotGit).isDirectory()) {
          const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
          if (!m) return undefined;
          gitDir = path.resolve(dir, (m[1] as string).trim());
        }
        const common = path.join(gitDir, 'commondir');
        const commonDir = existsSync(common) ? path.resolve(gitDir, readFileSync(common, 'utf8').trim()) : gitDir;
        return { top: dir, gitDir, commonDir };
      }
      if (path.dirname(dir) === dir) return undefined;
    }
  } catch {
    return undefined;
  }
}

/** HEAD's commit, from the files; undefined when they do not say it plainly. */
export function headFromFiles(at: GitLocation): string | undefined {
  try {
    const head = parseHead(readFileSync(path.join(at.gitDir, 'HEAD'), 'utf8'));
    switch (head.kind) {
      case 'sha':
        return head.sha;
      case 'unknown':
        return undefined;
      case 'ref': {
        const loose = path.join(at.commonDir, head.ref);
        if (existsSync(loose)) {
          const sha = readFileSync(loose, 'utf8').trim();
          return SHA.test(sha) ? sha : undefined;
        }
        const packed = path.join(at.commonDir, 'packed-refs');
        return existsSync(packed) ? packedRef(readFileSync(packed, 'utf8'), head.ref) : undefined;
      }
      default:
        return unreachable(head);
    }
  } catch {
    return undefined;
  }
}
