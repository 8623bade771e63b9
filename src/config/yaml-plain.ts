import { completeLocated, Positions, setOwn, type PlainObject } from './located.js';
import { resolvePlainScalar } from './yaml-core-scalar.js';
import {
  COLON,
  DASH,
  DQUOTE,
  FlowReader,
  HASH,
  keyChar,
  keyStart,
  LBRACE,
  LBRACKET,
  LF,
  MAX_DEPTH,
  NOT_STRING_KEY,
  plainStart,
  SPACE,
  SQUOTE,
  type Read,
} from './yaml-plain-flow.js';

/**
 * A reader for the plain subset of YAML that configs are written in: block
 * maps and sequences, one-line flow collections, one-line scalars (plain,
 * or quoted without escapes), comments after a value and comment lines at
 * the indent of the line after them. It gives exactly the values and
 * positions that the yaml package and YamlConverter give for the same text,
 * and gives up (undefined) on anything else: an anchor, an alias, a tag, a
 * block scalar, a multi-line value, a quoted or unusual key, another comment,
 * a tab, a CR, a control character, a duplicate key, a trailing comma. The
 * caller then reads the text with the yaml package, for its values and its
 * diagnostics.
 *
 * Why: the yaml package builds a syntax tree and nodes for every value, about
 * 35 µs per gate line and much garbage; this reads a 100,000-gate config in a
 * fraction of that, and a config of the subset never loads the package at all
 * (it is the slowest module to start). test/unit/yaml-plain.test.ts checks
 * the two readers against each other on generated and mutated documents.
 *
 * Offsets are yaml's node ranges: `start`, `end` (range[1]) and `after`
 * (range[2]). A block value's `after` runs past its line's newline; a block
 * collection ends where its last value's `after` does; a null written as
 * nothing sits just after its `:` and the spaces that follow.
 */

/** The longest implicit key of a block map yaml reads (its "the : indicator must be at most 1024 chars" error). */
const MAX_IMPLICIT_KEY = 1024;

/**
 * Characters this reader never reads: a tab or CR (indentation and line
 * breaks it does not model), C0 and C1 controls, DEL, a BOM and the Unicode
 * line separators. Any of them anywhere, even inside a quoted string, and the
 * text is yaml's. (Comments, anchors, aliases, tags and block scalars are
 * given up where they start: see plainStart and the scans.)
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNREAD = /[\t\r\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029]/;

/** A collection read in place of yaml's parse of `text[from, to)`: its value and its node's range, offsets in `text`. */
export interface PlainRead {
  readonly value: unknown;
  readonly start: number;
  readonly end: number;
  readonly after: number;
}

/**
 * Reads `text[from, to)` (`from` at a line's start) as a YAML document whose
 * root is a block map or sequence, nested `depth` deep in the file (a piece
 * of a large file: yaml-read-pieces.ts). Undefined when the text is not of
 * the subset: see above.
 */
export function readPlainYaml(file: string, text: string, from = 0, to = text.length, depth = 0): PlainRead | undefined {
  // Every scan stops at a newline: a region that ends just after one (or at the text's end) is never read past.
  if (to < text.length && text.charCodeAt(to - 1) !== LF) return undefined;
  const region = from === 0 && to === text.length ? text : text.slice(from, to);
  if (UNREAD.test(region)) return undefined;
  const reader = new PlainReader(file, text, to);
  const first = reader.nextContent(from);
  if (first >= to || reader.failed) return undefined; // empty, blank or comments only: yaml says what that is
  const indent = reader.indentAt(first);
  const r = reader.block(first, indent, depth);
  if (r === undefined || reader.pos < to || reader.failed) return undefined;
  return r;
}

/** The block half of the reader; flow values, quoted scalars and the characters are yaml-plain-flow.ts's. */
class PlainReader extends FlowReader {
  /** Where reading goes on: the start of the next line with content, or the end. */
  pos = 0;

  /** Set when a comment was found where yaml would give it a range: the read is then given up. */
  failed = false;

  /**
   * The start of the first line at or after line start `p` that holds more
   * than spaces and a comment, or `to`. yaml gives a comment line to the node
   * before it, whose range (range[2], and so the range of a collection it
   * ends) may then run over it; a comment is taken only where that cannot
   * reach a range anyone reads: at the indent of the content line that
   * follows it (a file's header, a note above an entry).
   */
  nextContent(p: number): number {
    const { text, to } = this;
    let comment = -1;
    while (p < to) {
      let i = p;
      while (i < to && text.charCodeAt(i) === SPACE) i++;
      if (i < to && text.charCodeAt(i) === HASH) {
        if (comment !== -1 && comment !== i - p) this.failed = true;
        comment = i - p;
        i = this.lineEnd(i);
      } else if (i < to && text.charCodeAt(i) !== LF) {
        if (comment !== -1 && comment !== i - p) this.failed = true;
        return p;
      }
      p = i + 1;
    }
    if (comment !== -1) this.failed = true;
    return to;
  }

  /** The position of the newline that ends the line of `p`, or `to`. */
  lineEnd(p: number): number {
    const nl = this.text.indexOf('\n', p);
    return nl === -1 || nl > this.to ? this.to : nl;
  }

  indentAt(lineStart: number): number {
    let i = lineStart;
    while (this.text.charCodeAt(i) === SPACE) i++;
    return i - lineStart;
  }

  /** `-` then a space or the line's end, at `p`. */
  isItem(p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false;
    const next = this.text.charCodeAt(p + 1);
    return p + 1 >= this.to || next === SPACE || next === LF;
  }

  /** The block collection whose first line starts at `lineStart`, its content at column `indent`. */
  block(lineStart: number, indent: number, depth: number): Read | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const at = lineStart + indent;
    return this.isItem(at) ? this.seq(lineStart, indent, depth) : this.map(at, indent, depth);
  }

  /** The end of the plain key at `p` (followed by `:` and a space or the line's end), or -1. */
  keyEnd(p: number): number {
    const { text, to } = this;
    if (!keyStart(text.charCodeAt(p))) return -1;
    let i = p + 1;
    while (i < to && keyChar(text.charCodeAt(i))) i++;
    // yaml allows an implicit key of a block map at most 1024 characters before its `:`; a longer one is its error.
    if (i - p > MAX_IMPLICIT_KEY || i >= to || text.charCodeAt(i) !== COLON) return -1;
    const next = text.charCodeAt(i + 1);
    return i + 1 >= to || next === SPACE || next === LF ? i : -1;
  }

  /** A block map whose first key is at `first` (which may follow a `- ` on its line); later keys start lines at column `indent`. */
  map(first: number, indent: number, depth: number): Read | undefined {
    const { text, to, file } = this;
    const obj: PlainObject = {};
    const positions = new Positions({ file, start: first, end: first });
    let key = first;
    let after = first;
    for (;;) {
      const keyEnd = this.keyEnd(key);
      if (keyEnd === -1) return undefined;
      const name = text.slice(key, keyEnd);
      if (NOT_STRING_KEY.test(name) || positions.has(name)) return undefined;
      let r = keyEnd + 1;
      while (r < to && text.charCodeAt(r) === SPACE) r++;
      let value: Read | undefined;
      if (r >= to || text.charCodeAt(r) === LF) {
        value = this.below(r, indent, depth);
      } else {
        value = this.inline(r, depth);
        if (value !== undefined) this.pos = this.nextContent(value.after);
      }
      if (value === undefined) return undefined;
      positions.setRange(name, file, key, keyEnd, value.start, value.end);
      setOwn(obj, name, value.value);
      after = value.after;
      const next = this.pos;
      if (next >= to) break;
      const nextIndent = this.indentAt(next);
      if (nextIndent < indent) break;
      if (nextIndent > indent) return undefined; // a continued scalar, or a mistake: yaml says which
      key = next + indent;
    }
    return { value: completeLocated(obj, positions, { file, start: first, end: after }), start: first, end: after, after };
  }

  /**
   * The value of a key whose line ends at `r` (after the `:` and its spaces):
   * a block collection on the lines below, more indented or (a sequence)
   * at the key's own column, or else null.
   */
  below(r: number, indent: number, depth: number): Read | undefined {
    const next = this.nextContent(r >= this.to ? r : r + 1);
    if (next < this.to) {
      const nextIndent = this.indentAt(next);
      if (nextIndent > indent || (nextIndent === indent && this.isItem(next + indent))) return this.block(next, nextIndent, depth + 1);
    }
    this.pos = next;
    return { value: null, start: r, end: r, after: r };
  }

  /** A block sequence whose first `-` is at column `indent` of the line at `lineStart`. */
  seq(lineStart: number, indent: number, depth: number): Read | undefined {
    const { text, to, file } = this;
    const arr: unknown[] = [];
    const first = lineStart + indent;
    const positions = new Positions({ file, start: first, end: first });
    let dash = first;
    let after = first;
    for (;;) {
      let r = dash + 1;
      while (r < to && text.charCodeAt(r) === SPACE) r++;
      if (r >= to || text.charCodeAt(r) === LF) return undefined; // an item on the lines below, or empty: rare, yaml's
      let value: Read | undefined;
      if (this.keyEnd(r) !== -1) {
        // `- key: value`: a map whose keys line up with this first one.
        value = this.map(r, r - (dash - indent), depth + 1);
      } else {
        value = this.inline(r, depth);
        if (value !== undefined) this.pos = this.nextContent(value.after);
      }
      if (value === undefined) return undefined;
      const i = arr.length;
      positions.setRange(i, file, value.start, value.end, value.start, value.end);
      arr.push(value.value);
      after = value.after;
      const next = this.pos;
      if (next >= to) break;
      const nextIndent = this.indentAt(next);
      if (nextIndent < indent || (nextIndent === indent && !this.isItem(next + indent))) break;
      if (nextIndent > indent) return undefined;
      dash = next + indent;
    }
    return { value: completeLocated(arr, positions, { file, start: first, end: after }), start: first, end: after, after };
  }

  /** A value that starts at `r` on its key's or dash's line and ends that line; `after` is past the line's newline. */
  inline(r: number, depth: number): Read | undefined {
    const { text, to } = this;
    const c = text.charCodeAt(r);
    let value: Read | undefined;
    if (c === LBRACKET || c === LBRACE || c === DQUOTE || c === SQUOTE) {
      value = this.flow(r, depth + 1);
      if (value === undefined) return undefined;
      let e = value.end;
      while (e < to && text.charCodeAt(e) === SPACE) e++;
      if (e > value.end && text.charCodeAt(e) === HASH) e = this.lineEnd(e);
      if (e < to && text.charCodeAt(e) !== LF) return undefined; // `"a": 1`, `[a] b`: a key or a mistake
      value.after = e < to ? e + 1 : to;
      return value;
    }
    if (!plainStart(c, text.charCodeAt(r + 1), false)) return undefined;
    let e = r;
    for (; e < to; e++) {
      const ch = text.charCodeAt(e);
      if (ch === LF) break;
      if (ch === HASH && text.charCodeAt(e - 1) === SPACE) break; // a comment
      if (ch === COLON) {
        const next = text.charCodeAt(e + 1);
        if (e + 1 >= to || next === SPACE || next === LF) return undefined; // a nested map: a mistake yaml reports
      }
    }
    const lineEnd = this.lineEnd(e);
    while (text.charCodeAt(e - 1) === SPACE) e--;
    return { value: resolvePlainScalar(text.slice(r, e)), start: r, end: e, after: lineEnd < to ? lineEnd + 1 : to };
  }
}
