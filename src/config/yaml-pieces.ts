/**
 * Where a large YAML file can be cut so that each piece reads alone exactly as
 * it reads in place. The yaml package holds a whole document's syntax tree
 * and nodes at once (about 9 KB per gate line, 880 MB for 100,000 gates), and
 * its garbage collection grows faster than the file; read in pieces of a few
 * KB, the same file costs only the values it holds.
 *
 * Pure: text in, a plan out. The cuts are conservative (a plain `key:` line of
 * a block map, a `- ` item of a block sequence, at the collection's indent,
 * with every line inside indented further); a file that does not fit is
 * read whole. The reader (yaml-read-pieces.ts) then reads the file whole
 * again as soon as any piece has a problem, so that every diagnostic is the
 * one a whole read gives.
 */

/** A run of whole entries of one block collection, read as one document: `[start, end)` of the text. */
export interface TextPiece {
  readonly kind: 'text';
  readonly start: number;
  readonly end: number;
}

/** A `key:` line alone whose value, a block collection on the lines below, is cut further. */
export interface KeyedPiece {
  readonly kind: 'keyed';
  readonly key: string;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly value: Collection;
}

export interface Collection {
  readonly kind: 'map' | 'seq';
  /** In order; only a map has keyed pieces. */
  readonly parts: ReadonlyArray<TextPiece | KeyedPiece>;
}

/** A piece's size where reading stays cheap (a few dozen gates); smaller pieces cost more calls, larger ones more garbage collection. */
export const PIECE_BYTES = 8 * 1024;

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const CR = 13;
const LF = 10;

/** Lines as the cutter sees them: where each starts, how many spaces indent it, and whether it holds anything but a comment. */
interface Lines {
  readonly start: Int32Array;
  readonly indent: Int32Array;
  /** 0 blank, 1 comment, 2 content. */
  readonly kind: Uint8Array;
  readonly count: number;
}

function scanLines(text: string): Lines {
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  const start = new Int32Array(count + 1);
  const indent = new Int32Array(count);
  const kind = new Uint8Array(count);
  let at = 0;
  for (let l = 0; l < count; l++) {
    start[l] = at;
    let i = at;
    while (text.charCodeAt(i) === SPACE) i++;
    indent[l] = i - at;
    const c = text.charCodeAt(i);
    kind[l] = i >= text.length || c === LF || (c === CR && text.charCodeAt(i + 1) === LF) ? 0 : c === HASH ? 1 : 2;
    const nl = text.indexOf('\n', at);
    at = nl === -1 ? text.length : nl + 1;
  }
  start[count] = text.length;
  return { start, indent, kind, count };
}

/** A character that may start a plain key without making it anything else (no indicator, quote, tab or space). */
function keyish(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57) || c > 127;
}

/**
 * A header line: a plain key that the core schema reads as a string (not
 * null, a bool or a number), then `:` and nothing but an optional comment.
 */
const HEADER = /^([A-Za-z_][A-Za-z0-9_-]{0,200}):(?: +(?:#[^\r\n]*)?)?\r?$/;
const NOT_STRING = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/**
 * The plan for `text`, or undefined when it is small or not of the simple
 * shape (then it is read whole). `pieceBytes` is a parameter for tests, which
 * cut tiny documents as finely as they can be cut.
 */
export function planPieces(text: string, pieceBytes = PIECE_BYTES): Collection | undefined {
  if (text.length <= pieceBytes) return undefined;
  // A BOM, a directive, a document marker or a lone CR (a line break to YAML, not to this cutter): read whole.
  if (text.charCodeAt(0) === 0xfeff || /^(?:%|---|\.\.\.)/m.test(text) || /\r(?!\n)/.test(text)) return undefined;
  const lines = scanLines(text);
  const first = firstContent(lines, 0, lines.count);
  if (first === -1 || lines.indent[first] !== 0) return undefined;
  const cutter = new Cutter(text, lines, pieceBytes);
  const c = text.charCodeAt(lines.start[first] as number);
  if (isItemLine(text, lines, first)) return cutter.seq(0, lines.count, 0);
  return keyish(c) ? cutter.map(0, lines.count, 0) : undefined;
}

function firstContent(lines: Lines, from: number, to: number): number {
  for (let l = from; l < to; l++) if (lines.kind[l] === 2) return l;
  return -1;
}

/** `-` then a space or the line's end: an item of a block sequence. */
function isItemLine(text: string, lines: Lines, l: number): boolean {
  const at = (lines.start[l] as number) + (lines.indent[l] as number);
  if (text.charCodeAt(at) !== DASH) return false;
  const next = text.charCodeAt(at + 1);
  return next === SPACE || next === LF || Number.isNaN(next) || (next === CR && text.charCodeAt(at + 2) === LF);
}

class Cutter {
  constructor(
    readonly text: string,
    readonly lines: Lines,
    readonly pieceBytes: number,
  ) {}

  #bytes(from: number, to: number): number {
    return (this.lines.start[to] as number) - (this.lines.start[from] as number);
  }

  /** Lines [from, to) hold the entries of a block map at `indent`: cut before each plain key at that indent. */
  map(from: number, to: number, indent: number): Collection {
    const { lines, text } = this;
    const starts: number[] = [from];
    for (let l = from + 1; l < to; l++) {
      if (lines.kind[l] === 2 && lines.indent[l] === indent && keyish(text.charCodeAt((lines.start[l] as number) + indent))) this.#cut(starts, l, from);
    }
    return { kind: 'map', parts: this.#group(starts, to, (a, b) => this.#keyed(a, b, indent)) };
  }

  /** Lines [from, to) hold the items of a block sequence at `indent`: cut before each `- ` at that indent. */
  seq(from: number, to: number, indent: number): Collection {
    const { lines } = this;
    const starts: number[] = [from];
    for (let l = from + 1; l < to; l++) if (lines.kind[l] === 2 && lines.indent[l] === indent && isItemLine(this.text, lines, l)) this.#cut(starts, l, from);
    return { kind: 'seq', parts: this.#group(starts, to, () => undefined) };
  }

  /**
   * Cuts before the entry at line `at` (of the collection from line `from`) if nothing but blank lines lies
   * between it and the last content line, and that line has no `#`. yaml
   * gives a comment to the node before it, whose range then runs on over the
   * comment, the blank lines after it and at times the next line's indent; an
   * entry read alone at such a cut would end elsewhere than it does in place.
   */
  #cut(starts: number[], at: number, from: number): void {
    const { lines, text } = this;
    let l = at - 1;
    while (l >= from && lines.kind[l] !== 2) l--;
    // Only comments before it in the collection: nothing they could belong to, so they make a piece of their own.
    if (l < from) return void starts.push(at);
    for (let k = l + 1; k < at; k++) if (lines.kind[k] === 1) return;
    if (text.slice(lines.start[l], lines.start[l + 1]).includes('#')) return;
    starts.push(at);
  }

  /** Consecutive entries joined into text pieces of about pieceBytes; an entry larger than that is cut further where it can be. */
  #group(starts: number[], to: number, split: (from: number, to: number) => KeyedPiece | undefined): Array<TextPiece | KeyedPiece> {
    const parts: Array<TextPiece | KeyedPiece> = [];
    let open = -1;
    const close = (at: number): void => {
      if (open !== -1) parts.push({ kind: 'text', start: this.lines.start[open] as number, end: this.lines.start[at] as number });
      open = -1;
    };
    for (let i = 0; i < starts.length; i++) {
      const a = starts[i] as number;
      const b = starts[i + 1] ?? to;
      const keyed = this.#bytes(a, b) > this.pieceBytes ? split(a, b) : undefined;
      if (keyed) {
        close(a);
        parts.push(keyed);
        continue;
      }
      if (open !== -1 && this.#bytes(open, b) > this.pieceBytes) close(a);
      if (open === -1) open = a;
    }
    close(to);
    return parts;
  }

  /** Lines [from, to): a header line and the block collection below it, or undefined when the entry is not of that shape. */
  #keyed(from: number, to: number, indent: number): KeyedPiece | undefined {
    const { lines, text } = this;
    if (lines.kind[from] !== 2) return undefined;
    const keyStart = (lines.start[from] as number) + indent;
    const header = HEADER.exec(text.slice(keyStart, lines.start[from + 1]).replace(/\n$/, ''));
    if (!header || NOT_STRING.test(header[1] as string)) return undefined;
    const key = header[1] as string;
    const first = firstContent(lines, from + 1, to);
    if (first === -1) return undefined;
    const inner = lines.indent[first] as number;
    const seq = isItemLine(text, lines, first);
    if (seq ? inner < indent : inner <= indent || !keyish(text.charCodeAt((lines.start[first] as number) + inner))) return undefined;
    // Every line of the value lies inside it: indented at least as far, and at the entry's own indent only its `- ` items.
    for (let l = first; l < to; l++) {
      if (lines.kind[l] !== 2) continue;
      const at = lines.indent[l] as number;
      if (at < inner || (at === indent && !isItemLine(text, lines, l))) return undefined;
    }
    const value = seq ? this.seq(from + 1, to, inner) : this.map(from + 1, to, inner);
    return { kind: 'keyed', key, keyStart, keyEnd: keyStart + key.length, value };
  }
}
