import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The repo's files as git sees them: tracked plus untracked-not-ignored,
 * honouring .gitignore. Clean tracked files are identified by git's own blob
 * hash (no read at all); only modified and untracked files are hashed here,
 * the way git would hash them. That keeps a warm `check` of a large repo to one
 * git call, and makes a file's identity its content alone: the same bytes get
 * the same id committed or not, on any machine, so cache entries travel.
 */
export interface FileIndex {
  /** Paths relative to the root, forward slashes, sorted. */
  readonly files: readonly string[];
  /** A content identity for a listed file. */
  hashOf(file: string): string;
}

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** git's blob id of the file's bytes (`git hash-object`, without filters). */
function contentHash(root: string, file: string): string {
  try {
    const bytes = readFileSync(path.join(root, file));
    return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  } catch {
    return 'missing';
  }
}

/**
 * What git already said about `root`, asked early by a hook (paths relative to
 * `root`): `staged`, `git ls-files -s -z`'s output; `dirty`, the files that
 * differ from the index. Either spares a git call here.
 */
export interface KnownListing {
  readonly staged?: string;
  readonly dirty?: readonly string[];
  /** The one git call's answer for this root, asked ahead (`askListing`); undefined when it failed: ask again. */
  readonly early?: Promise<Listing | undefined>;
}

/** The tagged listing's bytes: `<tag> <entry>`, `?` untracked, `C` changed in the tree. */
const SPACE = 0x20;
const TAG_UNTRACKED = 0x3f;
const TAG_CHANGED = 0x43;

const TAGGED = ['ls-files', '-z', '-t', '-s', '-c', '-m', '-o', '--exclude-standard'];

/**
 * The listing of `root`, asked now for an index made later: `check` starts it
 * before the config loads, so that git runs while node loads and parses. Never
 * rejects (a failure is undefined: the index asks again, or walks the folder).
 */
export function askListing(root: string): Promise<Listing | undefined> {
  return git(TAGGED, root).then(parseTaggedListing, () => undefined);
}

/** What one listing of the repo says: each index entry's blob id, and the files that differ from the index (modified, deleted, untracked). */
export interface Listing {
  readonly blob: Map<string, string>;
  readonly changed: Set<string>;
}

/** `git ls-files -s -z`'s entries ("<mode> <sha> <stage>\t<path>"), into `blob`. */
function addStaged(staged: string, blob: Map<string, string>): void {
  for (const entry of staged.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab === -1) continue;
    blob.set(entry.slice(tab + 1), entry.slice(7, 47));
  }
}

/**
 * The one git call's answer, `git ls-files -z -t -s -c -m -o --exclude-standard`:
 * every entry tagged. `? path`: untracked; `C <entry>`: in the index but
 * changed in the tree (modified or deleted); any other tag (`H` cached, `S`
 * skip-worktree, `M` unmerged): an index entry. The same two sets as
 * `ls-files -s` and `ls-files -m -o --exclude-standard` give, in one process.
 */
export function parseTaggedListing(out: string): Listing {
  const blob = new Map<string, string>();
  const changed = new Set<string>();
  // Read in place, entry by entry (`out` is 5,000 entries on a hook's every push): a split, and a slice of
  // each entry before its parts, cost more than the rest of the parse.
  for (let at = 0; at < out.length;) {
    const nul = out.indexOf('\0', at);
    const end = nul === -1 ? out.length : nul;
    if (end - at >= 3 && out.charCodeAt(at + 1) === SPACE) {
      const tag = out.charCodeAt(at);
      if (tag === TAG_UNTRACKED) changed.add(out.slice(at + 2, end));
      else {
        const tab = out.indexOf('\t', at + 2);
        if (tab !== -1 && tab < end) {
          if (tag === TAG_CHANGED) changed.add(out.slice(tab + 1, end));
          else blob.set(out.slice(tab + 1, end), out.slice(at + 9, Math.min(at + 49, end)));
        }
      }
    }
    at = end + 1;
  }
  return { blob, changed };
}

async function listing(root: string, known: KnownListing): Promise<Listing> {
  const asked = await known.early;
  if (asked) return asked;
  if (known.staged === undefined && known.dirty === undefined) return parseTaggedListing(await git(TAGGED, root));
  const [staged, dirty] = await Promise.all([
    known.staged ?? git(['ls-files', '-s', '-z'], root),
    known.dirty ? known.dirty.join('\0') : git(['ls-files', '-z', '-m', '-o', '--exclude-standard'], root),
  ]);
  const blob = new Map<string, string>();
  addStaged(staged, blob);
  return { blob, changed: new Set(dirty.split('\0').filter(Boolean)) };
}

export async function indexFiles(root: string, known: KnownListing = {}): Promise<FileIndex> {
  let blob: Map<string, string>;
  let changed: Set<string>;
  try {
    ({ blob, changed } = await listing(root, known));
  } catch {
    return walkIndex(root);
  }
  const memo = new Map<string, string>();
  const files = [...new Set([...blob.keys(), ...changed])].sort();
  return {
    files,
    hashOf(file) {
      if (!changed.has(file)) return blob.get(file) ?? 'missing';
      let h = memo.get(file);
      if (h === undefined) memo.set(file, (h = contentHash(root, file)));
      return h;
    },
  };
}

/**
 * The same files as `indexFiles`, for a run that hashes nothing (`check
 * --no-cache`): `git ls-files -z -c -o --exclude-standard` lists the index's
 * paths and the untracked ones without their blob ids and without git
 * stat-ing every tracked file for changes (on 20,000 files, a third of the
 * bytes and about a third of the time). `hashOf` still answers, from each
 * file's bytes, for a caller that does ask.
 */
export async function listFiles(root: string): Promise<FileIndex> {
  let out: string;
  try {
    out = await git(['ls-files', '-z', '-c', '-o', '--exclude-standard'], root);
  } catch {
    return walkIndex(root);
  }
  return hashedOnAsk(root, sortedPaths(out));
}

/**
 * The paths of a NUL-separated listing, each once (an unmerged path is an
 * index entry per stage), sorted as JavaScript sorts strings. git lists the
 * index sorted by bytes: the same order, but where a character past U+FFFF
 * meets one from U+E000 to U+FFFF. One pass checks the order (strictly
 * ascending: no path twice, no empty one) and spares the copy and the sort,
 * which on 20,000 paths cost a rule gate 60-70 ms on its critical path, on a
 * cold start. Any other listing (duplicates, untracked files apart) is sorted.
 */
export function sortedPaths(out: string): string[] {
  const paths = out.split('\0');
  if (paths.at(-1) === '') paths.pop();
  let ordered = true;
  for (let i = 1; i < paths.length && ordered; i++) ordered = (paths[i - 1] as string) < (paths[i] as string);
  if (ordered && paths[0] !== '') return paths;
  return [...new Set(paths.filter(Boolean))].sort();
}

/** An index of `files` whose hashes are read from the bytes when first asked for. */
function hashedOnAsk(root: string, files: string[]): FileIndex {
  const memo = new Map<string, string>();
  return {
    files,
    hashOf(file) {
      let h = memo.get(file);
      if (h === undefined) memo.set(file, (h = contentHash(root, file)));
      return h;
    },
  };
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.orchestra']);

/** Outside a git repository: every file below the root but the usual heavy folders, hashed by content. */
function walkIndex(root: string): FileIndex {
  const files: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(path.join(dir, entry.name), relPath);
      } else if (entry.isFile()) files.push(relPath);
    }
  };
  walk(root, '');
  files.sort();
  return hashedOnAsk(root, files);
}
