import { BACKSLASH, CR, DOT, DQ, EQ, HASH, NL, SQ } from './char-codes.js';
/**
 * Just enough of Python's tokenizer for rules: names, operators, strings
 * (every prefix, triple quotes), numbers and comments, with offsets, grouped
 * into logical lines (brackets and backslashes continue a line). Comments,
 * strings and docstrings therefore never look like code.
 */
export type TokenKind = 'name' | 'op' | 'string' | 'number' | 'comment';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface LogicalLine {
  readonly tokens: readonly Token[];
  /** Column (0-based) of the line's first token: its indentation. */
  readonly indent: number;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** `[A-Za-z_\u00C0-\uFFFF]`: code units, so both halves of a surrogate pair count. */
export const isNameStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0xc0;
/** `\w`. */
export const isWord = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
/** String prefixes: r R b B u U f F; the two-letter ones pair r/R with b/B/f/F either way round. */
const isPrefix = (c: number): boolean => c === 114 || c === 82 || c === 98 || c === 66 || c === 117 || c === 85 || c === 102 || c === 70;
const isR = (c: number): boolean => c === 114 || c === 82;
const isBF = (c: number): boolean => c === 98 || c === 66 || c === 102 || c === 70;
/** The characters that, followed by `=`, make an augmented assignment: + - * / % & | ^ @. */
const isAugmented = (c: number): boolean => c === 43 || c === 45 || c === 42 || c === 47 || c === 37 || c === 38 || c === 124 || c === 94 || c === 64;

/**
 * Tokenizes src[from, to) in place (offsets are into `src`; nothing is
 * sliced out first), as if the source ended at `to`: a rule tokenizes only
 * the few logical lines that matter, straight from the file's text.
 *
 * A hand-written scanner over char codes. It reads exactly what one sticky
 * regular expression used to (kept as the oracle in
 * test/helpers/reference-tokenize.ts, and compared on every kind of input in
 * test/unit/tokenize.test.ts), at a fraction of the cost: at each offset the
 * first of these that matches wins — blanks, a backslash continuation, a
 * newline, a comment, a string opener (optional prefix, then ''' """ ' "), a
 * name, a number, a two- or three-character operator, any one character.
 */
export function tokenize(src: string, from = 0, to = src.length): LogicalLine[] {
  const code = (k: number): number => (k < to ? src.charCodeAt(k) : -1);
  const lines: LogicalLine[] = [];
  let current: Token[] = [];
  let depth = 0;
  let indent = 0;
  let lineStart = from;
  // Where the last statement ended: a statement after `;` shares its line's indentation.
  let lastEnd = -1;
  const endLine = (): void => {
    if (current.length > 0) {
      lines.push({ tokens: current, indent });
      lastEnd = (current.at(-1) as Token).end;
    }
    current = [];
  };
  let i = from;
  while (i < to) {
    const c = src.charCodeAt(i);
    const start = i;
    if (c === 32 || c === 9 || c === 12 || c === CR) {
      i++;
      continue;
    }
    if (c === BACKSLASH && (code(i + 1) === NL || (code(i + 1) === CR && code(i + 2) === NL))) {
      i += code(i + 1) === NL ? 2 : 3;
      continue;
    }
    if (c === NL) {
      i++;
      lineStart = i;
      if (depth === 0) endLine();
      continue;
    }
    if (c === HASH) {
      while (i < to && src.charCodeAt(i) !== NL) i++;
      continue;
    }
    if (current.length === 0 && depth === 0) indent = lines.length > 0 && lastEnd > lineStart ? (lines.at(-1) as LogicalLine).indent : start - lineStart;
    const quoteAt =
      c === SQ || c === DQ ? i : !isPrefix(c) ? -1 : isQuote(code(i + 1)) ? i + 1 : twoLetterPrefix(c, code(i + 1)) && isQuote(code(i + 2)) ? i + 2 : -1;
    if (quoteAt !== -1) {
      const q = src.charCodeAt(quoteAt);
      const triple = code(quoteAt + 1) === q && code(quoteAt + 2) === q;
      const end = stringEnd(src, quoteAt + (triple ? 3 : 1), q, triple, to);
      current.push({ kind: 'string', text: src.slice(start, end), start, end });
      i = end;
      continue;
    }
    if (isNameStart(c)) {
      i++;
      while (i < to) {
        const d = src.charCodeAt(i);
        if (!(isWord(d) || d >= 0xc0)) break;
        i++;
      }
      current.push({ kind: 'name', text: src.slice(start, i), start, end: i });
      continue;
    }
    const numberEnd = scanNumber(c, i, code);
    if (numberEnd !== -1) {
      i = numberEnd;
      current.push({ kind: 'number', text: src.slice(start, i), start, end: i });
      continue;
    }
    i += operatorLength(c, code(i + 1), code(i + 2));
    if (c === 59 && i === start + 1 && depth === 0) {
      // `a = 1; b = 2` is two statements on one line.
      endLine();
      continue;
    }
    if (i === start + 1) {
      if (c === 40 || c === 91 || c === 123) depth++;
      else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
    }
    current.push({ kind: 'op', text: src.slice(start, i), start, end: i });
  }
  endLine();
  return lines;
}

const isQuote = (c: number): boolean => c === SQ || c === DQ;
const twoLetterPrefix = (a: number, b: number): boolean => (isR(a) && isBF(b)) || (isBF(a) && isR(b));

/**
 * The end of a string whose body starts at `from` (escapes honoured; a one-quote
 * string stops at the line end, even after a backslash), or `to` if it does not end.
 */
export function stringEnd(src: string, from: number, quote: number, triple: boolean, to: number): number {
  let backslashes = 0;
  for (let j = from; j < to; j++) {
    const c = src.charCodeAt(j);
    if (c === NL && !triple) return j;
    if (c === quote && backslashes % 2 === 0 && (!triple || (j + 2 < to && src.charCodeAt(j + 1) === quote && src.charCodeAt(j + 2) === quote))) {
      return j + (triple ? 3 : 1);
    }
    backslashes = c === BACKSLASH ? backslashes + 1 : 0;
  }
  return to;
}

/**
 * Where a number starting at `i` ends, or -1: `0[xXoObB]\w+`, else
 * `(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?[jJ]?`.
 */
function scanNumber(c: number, i: number, code: (k: number) => number): number {
  if (c === 48) {
    const x = code(i + 1);
    if ((x === 120 || x === 88 || x === 111 || x === 79 || x === 98 || x === 66) && isWord(code(i + 2))) {
      let j = i + 3;
      while (isWord(code(j))) j++;
      return j;
    }
  }
  let j: number;
  if (isDigit(c)) {
    j = i + 1;
    while (isDigit(code(j)) || code(j) === 95) j++;
    if (code(j) === DOT) j++;
    while (isDigit(code(j)) || code(j) === 95) j++;
  } else if (c === DOT && isDigit(code(i + 1))) {
    j = i + 2;
    while (isDigit(code(j)) || code(j) === 95) j++;
  } else return -1;
  const e = code(j);
  if (e === 101 || e === 69) {
    let k = j + 1;
    if (code(k) === 43 || code(k) === 45) k++;
    if (isDigit(code(k))) {
      while (isDigit(code(k))) k++;
      j = k;
    }
  }
  if (code(j) === 106 || code(j) === 74) j++;
  return j;
}

/** How long the operator at `c` is: `**= //= >>= <<= ...`, then `-> := == != <= >= ** // << >>` and augmented `X=`, else 1. */
function operatorLength(c: number, d: number, e: number): number {
  if (e === EQ && ((c === 42 && d === 42) || (c === 47 && d === 47) || (c === 62 && d === 62) || (c === 60 && d === 60))) return 3;
  if (c === DOT && d === DOT && e === DOT) return 3;
  if ((c === 45 && d === 62) || (c === 58 && d === EQ) || (c === EQ && d === EQ) || (c === 33 && d === EQ) || (c === 60 && d === EQ) || (c === 62 && d === EQ))
    return 2;
  if ((c === 42 && d === 42) || (c === 47 && d === 47) || (c === 60 && d === 60) || (c === 62 && d === 62)) return 2;
  if (d === EQ && isAugmented(c)) return 2;
  return 1;
}
