import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The repo's files as git sees them: tracked plus untracked-not-ignored,
 * honouring .gitignore. Clean tracked files are identified by git's own blob
 * hash (no read at all); only modified and untracked files are hashed here,
 * the way git would hash them. That keeps a warm `check` of a large repo to two
 * git calls, and makes a file's identity its content alone: the same bytes get
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
}

export async function indexFiles(root: string, known: KnownListing = {}): Promise<FileIndex> {
  let staged: string;
  let dirty: string;
  try {
    [staged, dirty] = await Promise.all([
      known.staged ?? git(['ls-files', '-s', '-z'], root),
      known.dirty ? known.dirty.join('\0') : git(['ls-files', '-z', '-m', '-o', '--exclude-standard'], root),
    ]);
  } catch {
    return walkIndex(root);
  }
  const blob = new Map<string, string>();
  for (const entry of staged.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab === -1) continue;
    // "<mode> <sha> <stage>\t<path>"
    blob.set(entry.slice(tab + 1), entry.slice(7, 47));
  }
  const changed = new Set(dirty.split('\0').filter(Boolean));
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
