import picomatch from 'picomatch';
import type { FileIndex } from './file-index.js';

/**
 * Which of the repo's files a gate's globs select. A pre-push check asks this
 * of every gate over every file, on a cold start where the code runs in V8's
 * interpreter: so each glob is matched once per index (its positions kept),
 * the commonest shapes skip the regular expression, and `dir/**` does not
 * even scan (the index is sorted, so a prefix is one contiguous range).
 */
type Shape = { readonly kind: 'prefix'; readonly prefix: string } | { readonly kind: 'suffix'; readonly suffix: string } | { readonly kind: 'glob' };

/** `dir/sub/**` (no `.` or `..` segment) is a prefix test, `**\/*.ext` a suffix test; anything else goes to picomatch. */
export function globShape(glob: string): Shape {
  const g = glob.replace(/^\.\//, '');
  const dir = /^((?:[\w.@-]+\/)+)\*\*$/.exec(g);
  if (dir && !(dir[1] as string).split('/').some((seg) => seg === '.' || seg === '..')) return { kind: 'prefix', prefix: dir[1] as string };
  const ext = /^\*\*\/\*(\.[\w-]+)$/.exec(g);
  if (ext) return { kind: 'suffix', suffix: ext[1] as string }; // any file, at any depth, with that extension
  return { kind: 'glob' };
}

/** A matcher for globs (any of them), with the fast shapes above. */
export function matcher(globs: readonly string[]): (file: string) => boolean {
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const rest: string[] = [];
  for (const g of globs) {
    const shape = globShape(g);
    if (shape.kind === 'prefix') prefixes.push(shape.prefix);
    else if (shape.kind === 'suffix') suffixes.push(shape.suffix);
    else rest.push(g);
  }
  const slow = rest.length ? compiled(rest) : undefined;
  return (file) => prefixes.some((p) => file.startsWith(p)) || suffixes.some((x) => file.endsWith(x)) || (slow !== undefined && slow(file));
}

const matchers = new Map<string, (file: string) => boolean>();

/** picomatch compiles a glob to a regular expression: once per set of globs per process. */
function compiled(globs: readonly string[]): (file: string) => boolean {
  const key = globs.join('\0');
  let m = matchers.get(key);
  if (!m) matchers.set(key, (m = picomatch([...globs], { dot: true })));
  return m;
}

/** The first position in sorted `files` whose file is not below `key`. */
function lowerBound(files: readonly string[], key: string): number {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((files[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function isSorted(files: readonly string[]): boolean {
  for (let i = 1; i < files.length; i++) if ((files[i - 1] as string) > (files[i] as string)) return false;
  return true;
}

interface Memo {
  readonly sorted: boolean;
  readonly byGlob: Map<string, readonly number[]>;
}

/** Per index (an index never changes once made), per glob: the ascending positions of the files it matches. */
const memos = new WeakMap<FileIndex, Memo>();

function positions(index: FileIndex, glob: string): readonly number[] {
  let memo = memos.get(index);
  if (!memo) memos.set(index, (memo = { sorted: isSorted(index.files), byGlob: new Map() }));
  const hit = memo.byGlob.get(glob);
  if (hit) return hit;
  const files = index.files;
  const out: number[] = [];
  const shape = globShape(glob);
  if (shape.kind === 'prefix' && memo.sorted) {
    for (let i = lowerBound(files, shape.prefix); i < files.length && (files[i] as string).startsWith(shape.prefix); i++) out.push(i);
  } else {
    const test =
      shape.kind === 'suffix'
        ? (f: string) => f.endsWith(shape.suffix)
        : shape.kind === 'prefix'
          ? (f: string) => f.startsWith(shape.prefix)
          : compiled([glob]);
    for (let i = 0; i < files.length; i++) if (test(files[i] as string)) out.push(i);
  }
  memo.byGlob.set(glob, out);
  return out;
}

/** Files a gate's globs select, `exclude` applied, in the index's order. */
export function selectFiles(index: FileIndex, include: readonly string[], exclude: readonly string[]): string[] {
  if (include.length === 0) return [];
  const lists = include.map((g) => positions(index, g));
  let picked: readonly number[];
  if (lists.length === 1) picked = lists[0] as readonly number[];
  else {
    // A file several globs match is listed once, where it stands in the index.
    const all = lists.flat().sort((a, b) => a - b);
    picked = all.filter((p, i) => i === 0 || all[i - 1] !== p);
  }
  const no = exclude.length ? matcher(exclude) : undefined;
  const out: string[] = [];
  for (const p of picked) {
    const f = index.files[p] as string;
    if (no === undefined || !no(f)) out.push(f);
  }
  return out;
}
