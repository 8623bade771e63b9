import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a changed symbolic link really leads, followed on disk one part at a
 * time through every other link on the way (`src/x -> ..` then
 * `src/a -> x/../..` leaves the repository, though neither target says so
 * as text). A link the agent made must lead inside the worktree.
 */
export function linksLeaving(root: string, links: ReadonlyArray<{ path: string }>): Array<{ path: string; why: string }> {
  return links.flatMap((l) => {
    const end = follow(root, l.path);
    if (end === undefined) return [{ path: l.path, why: 'a symbolic link in a loop' }];
    return end === root || end.startsWith(`${root}/`) ? [] : [{ path: l.path, why: `a symbolic link that leads to ${end}, outside the repository` }];
  });
}

/** The absolute path `rel` (under `root`) comes to; parts that do not exist are taken as written. Undefined: a loop. */
function follow(root: string, rel: string): string | undefined {
  const queue = rel.split('/');
  let at = root;
  for (let hops = 0; queue.length > 0;) {
    const part = queue.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      at = path.dirname(at);
      continue;
    }
    const next = path.join(at, part);
    let target: string | undefined;
    try {
      target = lstatSync(next).isSymbolicLink() ? readlinkSync(next) : undefined;
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      at = next;
      continue;
    }
    if (++hops > 40) return undefined;
    if (path.isAbsolute(target)) at = '/';
    queue.unshift(...target.split('/'));
  }
  return at;
}
