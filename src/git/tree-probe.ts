import { realpathSync } from 'node:fs';
import path from 'node:path';
import { headFromFiles, locateGit } from './head-file.js';
import { cleanEnv } from './snapshot.js';
import { treeStatus, under, type TreeStatus } from './status.js';

/**
 * What a pre-push hook needs to know about the checkout, asked once and
 * early: HEAD's commit (from git's files) and one `git status`, started
 * before the config is loaded so that the two overlap. The usual push sends
 * HEAD, and then the status says both where the tree differs from the pushed
 * commit and which files the gate cache must hash.
 */
export interface TreeProbe {
  /** HEAD's commit, when git's files say it plainly. */
  readonly head: string | undefined;
  /** Paths (relative to `root`) where the tree differs from HEAD; undefined: ask git another way. */
  differsFromHead(root: string): Promise<string[] | undefined>;
  /** Paths (relative to `root`) where the tree differs from the index: what `git ls-files -m -o` would list. */
  differsFromIndex(root: string): Promise<string[] | undefined>;
}

export function probeTree(cwd: string): TreeProbe {
  const at = locateGit(cwd);
  const head = at ? headFromFiles(at) : undefined;
  // Rejections are kept as undefined: a failed probe costs speed, never the answer.
  const status: Promise<TreeStatus | undefined> = at ? treeStatus(cwd, cleanEnv()).catch(() => undefined) : Promise.resolve(undefined);
  const prefixOf = (root: string): string | undefined => {
    if (!at) return undefined;
    // A config in a repository nested below `cwd` is another checkout: its status is not this one.
    if (locateGit(root)?.top !== at.top) return undefined;
    try {
      const rel = path.relative(at.top, realpathSync(root));
      return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
    } catch {
      return undefined;
    }
  };
  const pick = async (root: string, which: keyof TreeStatus): Promise<string[] | undefined> => {
    const s = await status;
    const prefix = prefixOf(root);
    return s && prefix !== undefined ? under(s[which], prefix) : undefined;
  };
  return { head, differsFromHead: (root) => pick(root, 'fromHead'), differsFromIndex: (root) => pick(root, 'fromIndex') };
}
