import { isNameStart, isWord, stringEnd } from './tokenize.js';
import { BACKSLASH, EQ, HASH, NL } from './char-codes.js';

/**
 * The keyword names of the call a simple assignment makes, read straight
 * from the characters of its logical line, without tokens: what a rule asks
 * of most lines it looks at (`created_at = Column(DateTime, server_default=…)`:
 * is `server_default` there?), at a small part of the cost of tokenizing.
 *
 * The contract, which test/unit/call-keywords.test.ts checks on the corpus and
 * on random lines: when this returns a set, tokenizing src[start, end) gives a
 * first logical line whose `assignmentOf` has a value starting with a call
 * (`callAt`), and that call's keywords are exactly this set, its target is
 * `target`. Anything it is not sure of (a backslash outside a string, a `;` or
 * a newline before the call, an `=` that could belong to a longer operator, an
 * unclosed call) makes it return undefined, and the caller tokenizes the line.
 */
export interface AssignedCall {
  readonly target: string;
  readonly keywords: ReadonlySet<string>;
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 12 || c === 13;
const isOpen = (c: number): boolean => c === 40 || c === 91 || c === 123;
const isClose = (c: number): boolean => c === 41 || c === 93 || c === 125;
const isQuote = (c: number): boolean => c === 39 || c === 34;
/** Characters that, right before `=`, make it part of a longer operator (`==`, `<=`, `:=`, `+=`, `**=`, …). */
const joinsEquals = (c: number): boolean => '=!<>:+-*/%&|^@'.includes(String.fromCharCode(c));

export function assignedCall(src: string, start: number, end: number): AssignedCall | undefined {
  const code = (k: number): number => (k < end ? src.charCodeAt(k) : -1);
  const nameEnd = (k: number): number => {
    let j = k + 1;
    while (j < end && (isWord(src.charCodeAt(j)) || src.charCodeAt(j) >= 0xc0)) j++;
    return j;
  };
  const blanks = (k: number): number => {
    let j = k;
    while (isBlank(code(j))) j++;
    return j;
  };
  /** Past a string whose quote is at k, exactly where the tokenizer ends it. */
  const pastString = (k: number): number => {
    const q = src.charCodeAt(k);
    const triple = code(k + 1) === q && code(k + 2) === q;
    return stringEnd(src, k + (triple ? 3 : 1), q, triple, end);
  };

  if (!isNameStart(code(start))) return undefined;
  let i = nameEnd(start);
  // A target that is a string prefix followed by a quote is a string to the tokenizer.
  if (isQuote(code(i))) return undefined;
  const target = src.slice(start, i);
  i = blanks(i);
  if (code(i) === EQ) {
    if (code(i + 1) === EQ) return undefined;
    i++;
  } else if (code(i) === 58 && code(i + 1) !== EQ) {
    // An annotation: the value starts after the first `=` at bracket depth 0.
    let depth = 0;
    for (i++; ;) {
      const c = code(i);
      if (c === -1 || c === NL || c === BACKSLASH || c === 59 || depth < 0) return undefined;
      if (isQuote(c)) i = pastString(i);
      else if (c === HASH) return undefined;
      else {
        if (isOpen(c)) depth++;
        else if (isClose(c)) depth--;
        else if (c === EQ && depth === 0) {
          if (joinsEquals(src.charCodeAt(i - 1)) || code(i + 1) === EQ) return undefined;
          i++;
          break;
        }
        i++;
      }
    }
  } else return undefined;

  // The callee: a dotted name, then `(`.
  for (i = blanks(i); ;) {
    if (!isNameStart(code(i))) return undefined;
    i = nameEnd(i);
    if (isQuote(code(i))) return undefined;
    i = blanks(i);
    if (code(i) === 46) {
      i = blanks(i + 1);
      continue;
    }
    if (code(i) === 40) break;
    return undefined;
  }

  // The arguments: at depth 1, each one starts after `(` or `,`; a keyword is `name =` there.
  const keywords = new Set<string>();
  let depth = 1;
  let argStart = true;
  for (i++; ;) {
    const c = code(i);
    if (c === -1 || c === BACKSLASH) return undefined;
    if (isBlank(c) || c === NL) {
      i++;
      continue;
    }
    if (c === HASH) {
      while (i < end && src.charCodeAt(i) !== NL) i++;
      continue;
    }
    if (argStart && depth === 1 && isNameStart(c)) {
      argStart = false;
      // A string prefix (`rb"…"`) is no keyword either way: no `=` follows it.
      const wordEnd = nameEnd(i);
      let j = wordEnd;
      for (;;) {
        const d = code(j);
        if (isBlank(d) || d === NL) j++;
        else if (d === HASH) while (j < end && src.charCodeAt(j) !== NL) j++;
        else break;
      }
      if (code(j) === EQ && code(j + 1) !== EQ) {
        keywords.add(src.slice(i, wordEnd));
        i = j + 1;
      } else i = wordEnd;
      continue;
    }
    argStart = false;
    if (isQuote(c)) {
      i = pastString(i);
      continue;
    }
    if (isOpen(c)) depth++;
    else if (isClose(c)) {
      depth--;
      if (depth === 0) return { target, keywords };
    } else if (c === 44 && depth === 1) argStart = true;
    i++;
  }
}
