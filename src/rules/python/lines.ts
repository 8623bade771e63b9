import { tokenize, type LogicalLine } from './tokenize.js';
import { BACKSLASH, CR, DQ, FF, HASH, NL, SEMI, SPACE, SQ, TAB } from './char-codes.js';

/**
 * Where each logical line of Python source starts and ends, found by one
 * character loop that knows strings (every quote form), comments, brackets,
 * backslash continuations and `;` — without building tokens. Rules test a
 * line's text cheaply and tokenize only the few lines that can matter, which
 * is what lets a rule keep pace with a plain text search.
 */
export interface LineRange {
  /** Offset of the line's first character of code. */
  readonly start: number;
  /** Offset just past its last character (before the newline or `;`). */
  readonly end: number;
  /** Column of `start`. */
  readonly indent: number;
}

/** What a character below 128 is to the scan: blank, special (changes the scan's state), or ordinary code (the rest, and all above 127). */
const CODE = 0;
const KIND = new Uint8Array(128);
for (const ch of ' \t\r\f\n#\\\'"()[]{};') KIND[ch.charCodeAt(0)] = 1;

export function logicalLineRanges(src: string): LineRange[] {
  const out: LineRange[] = [];
  const n = src.length;
  let depth = 0;
  let lineStart = 0;
  let start = -1;
  let end = -1;
  let indent = 0;
  const close = (): void => {
    if (start !== -1) out.push({ start, end, indent });
    start = -1;
  };
  for (let i = 0; i < n; i++) {
    const c = src.charCodeAt(i);
    if (c >= 128 || KIND[c] === CODE) {
      // A run of ordinary code characters: the first may start a line, the last ends it so far.
      if (start === -1 && depth === 0) {
        start = i;
        indent = out.length > 0 && (out.at(-1) as LineRange).end > lineStart ? (out.at(-1) as LineRange).indent : i - lineStart;
      }
      let j = i + 1;
      for (; j < n; j++) {
        const d = src.charCodeAt(j);
        if (d < 128 && KIND[d] !== CODE) break;
      }
      end = j;
      i = j - 1;
      continue;
    }
    if (c === NL) {
      lineStart = i + 1;
      if (depth === 0) close();
      continue;
    }
    if (c === SPACE || c === TAB || c === CR || c === FF) continue;
    if (c === HASH) {
      const nl = src.indexOf('\n', i);
      i = (nl === -1 ? n : nl) - 1;
      continue;
    }
    if (c === BACKSLASH && src.charCodeAt(i + 1) === NL) {
      i++;
      continue;
    }
    if (start === -1 && depth === 0) {
      start = i;
      indent = out.length > 0 && (out.at(-1) as LineRange).end > lineStart ? (out.at(-1) as LineRange).indent : i - lineStart;
    }
    if (c === SQ || c === DQ) {
      const triple = src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c;
      i = skipString(src, triple ? i + 3 : i + 1, c, triple) - 1;
      end = i + 1;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
    else if (c === SEMI && depth === 0) {
      close();
      continue;
    }
    end = i + 1;
  }
  close();
  return out;
}

/** Offset just past the string whose body starts at `from`. */
function skipString(src: string, from: number, quote: number, triple: boolean): number {
  const n = src.length;
  for (let j = from; j < n; j++) {
    const c = src.charCodeAt(j);
    if (c === BACKSLASH) {
      j++;
      continue;
    }
    if (c === quote) {
      if (!triple) return j + 1;
      if (src.charCodeAt(j + 1) === quote && src.charCodeAt(j + 2) === quote) return j + 3;
    } else if (c === NL && !triple) return j; // unterminated: the line ends it
  }
  return n;
}

/** Tokenizes one logical line found by `logicalLineRanges`, in place: positions in the whole source. */
export function tokenizeRange(src: string, range: LineRange): LogicalLine {
  // Inside the range newlines only occur within brackets, strings or after a backslash, which tokenize() joins.
  const [line] = tokenize(src, range.start, range.end);
  return { tokens: line?.tokens ?? [], indent: range.indent };
}
