import picomatch from 'picomatch';
import type { FileIndex } from './file-index.js';

/**
 * Which of the repo's files a gate's globs select. A pre-push check asks this
 * of every gate over every file, on a cold start where the code runs in V8's
 * interpreter: so each glob is matched once per index (its positions kept),
 * the commonest shapes skip the regular expression, and `dir/**` does not
 * even scan (the index is sorted, so a prefix is one contiguous range).
 */
type Shape =
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'suffix'; readonly suffix: string }
  | { readonly kind: 'segment'; readonly segment: string }
  | { readonly kind: 'glob' };

const isDotSegment = (seg: string): boolean => seg === '.' || seg === '..';

/**
 * `dir/sub/**` (no `.` or `..` segment) is a prefix test, `**\/*.ext` a suffix
 * test, `**\/dir/sub/**` (the usual exclude: `**\/node_modules/**`) a segment
 * test; anything else goes to picomatch.
 */
export function globShape(glob: string): Shape {
  const g = glob.replace(/^\.\//, '');
  const dir = /^((?:[\w.@-]+\/)+)\*\*$/.exec(g);
  if (dir && !(dir[1] as string).split('/').some(isDotSegment)) return { kind: 'prefix', prefix: dir[1] as string };
  const ext = /^\*\*\/\*(\.[\w-]+)$/.exec(g);
  if (ext) return { kind: 'suffix', suffix: ext[1] as string }; // any file, at any depth, with that extension
  const inside = /^\*\*\/((?:[\w.@-]+\/)*[\w.@-]+)\/\*\*$/.exec(g);
  if (inside && !(inside[1] as string).split('/').some(isDotSegment)) return { kind: 'segment', segment: inside[1] as string };
  return { kind: 'glob' };
}

/** A path with a `.` or `..` segment: picomatch's `**` never crosses one (git never lists one). */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * What picomatch (dot: true) says of `**\/<segment>/**`, for several such
 * globs at once: one of the segments appears whole, anywhere, the path itself
 * included (`**` matches nothing too: `a/node_modules` and `node_modules`
 * match), and no `.` or `..` segment is in the path. One plain regular
 * expression for all of them instead of picomatch's per glob: over 20,000
 * files, the 9 excludes of a Python rule gate cost 50-160 ms through
 * picomatch (cold code, a loaded machine), 13-17 ms so.
 * (The segments hold only word characters, `.`, `@`, `-` and `/`: `.` is the
 * one to escape.)
 */
function inSegments(segments: readonly string[]): (file: string) => boolean {
  const any = new RegExp(`(?:^|/)(?:${segments.map((s) => s.replaceAll('.', '\\.')).join('|')})(?:/|$)`);
  return (f) => any.test(f) && !DOT_SEGMENT.test(f);
}

/** A matcher for globs (any of them), with the fast shapes above. */
export function matcher(globs: readonly string[]): (file: string) => boolean {
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const segments: string[] = [];
  const rest: string[] = [];
  for (const g of globs) {
    const shape = globShape(g);
    if (shape.kind === 'prefix') prefixes.push(shape.prefix);
    else if (shape.kind === 'suffix') suffixes.push(shape.suffix);
    else if (shape.kind === 'segment') segments.push(shape.segment);
    else rest.push(g);
  }
  const slow = rest.length ? compiled(rest) : undefined;
  const inside = segments.length ? inSegments(segments) : undefined;
  return (file) =>
    prefixes.some((p) => file.startsWith(p)) ||
    suffixes.some((x) => file.endsWith(x)) ||
    (inside !== undefined && inside(file)) ||
    (slow !== undefined && slow(file));
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
  /** Asked when a prefix glob first needs it: a gate with only `**\/*.py` never pays the pass. */
  sorted?: boolean;
  readonly byGlob: Map<string, readonly number[]>;
}

/** Per index (an index never changes once made), per glob: the ascending positions of the files it matches. */
const memos = new WeakMap<FileIndex, Memo>();

function positions(index: FileIndex, glob: string): readonly number[] {
  let memo = memos.get(index);
  if (!memo) memos.set(index, (memo = { byGlob: new Map() }));
  const hit = memo.byGlob.get(glob);
  if (hit) return hit;
  const files = index.files;
  const out: number[] = [];
  const shape = globShape(glob);
  if (shape.kind === 'prefix' && (memo.sorted ??= isSorted(files))) {
    for (let i = lowerBound(files, shape.prefix); i < files.length && (files[i] as string).startsWith(shape.prefix); i++) out.push(i);
  } else {
    const test =
      shape.kind === 'suffix'
        ? (f: string) => f.endsWith(shape.suffix)
        : shape.kind === 'prefix'
          ? (f: string) => f.startsWith(shape.prefix)
          : shape.kind === 'segment'
            ? inSegments([shape.segment])
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
