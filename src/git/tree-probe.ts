import { realpathSync } from 'node:fs';
import path from 'node:path';
import { headFromFiles, locateGit } from './head-file.js';
import { cleanEnv } from './snapshot.js';
import { indexListing, treeStatus, under, type TreeStatus } from './status.js';

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
  /**
   * For the gate cache's file index, relative to `root`: the index's entries
   * (`git ls-files -s -z` output) and the files that differ from it (what
   * `git ls-files -m -o` would list). Both asked early, beside the status.
   */
  listing(root: string): Promise<{ staged?: string; dirty?: string[] }>;
}

/** `git ls-files -s -z` output (`<mode> <sha> <stage>\t<path>`, paths from the top) kept to the paths under `prefix`, relative to it. */
export function stagedUnder(text: string, prefix: string): string {
  if (prefix === '') return text;
  const p = `${prefix.split(path.sep).join('/')}/`;
  const out: string[] = [];
  for (const entry of text.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab !== -1 && entry.startsWith(p, tab + 1)) out.push(`${entry.slice(0, tab + 1)}${entry.slice(tab + 1 + p.length)}`);
  }
  return out.join('\0');
}

export function probeTree(cwd: string): TreeProbe {
  const at = locateGit(cwd);
  const head = at ? headFromFiles(at) : undefined;
  // Rejections are kept as undefined: a failed probe costs speed, never the answer.
  const status: Promise<TreeStatus | undefined> = at ? treeStatus(cwd, cleanEnv()).catch(() => undefined) : Promise.resolve(undefined);
  // Listed from the top: from a subfolder git would list only that subfolder, and the config may be above it.
  const staged: Promise<string | undefined> = at ? indexListing(at.top, cleanEnv()).catch(() => undefined) : Promise.resolve(undefined);
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
  const listing = async (root: string): Promise<{ staged?: string; dirty?: string[] }> => {
    const [text, dirty] = [await staged, await pick(root, 'fromIndex')];
    const prefix = prefixOf(root);
    return { ...(text !== undefined && prefix !== undefined ? { staged: stagedUnder(text, prefix) } : {}), ...(dirty ? { dirty } : {}) };
  };
  return { head, differsFromHead: (root) => pick(root, 'fromHead'), listing };
}
