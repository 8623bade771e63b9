import { COLON, CR, EQ, FF, NL, SEMI, SPACE, TAB } from './python/char-codes.js';

/**
 * A rule's sound byte prefilter (see `BuiltinRule.needles`): which files can
 * be skipped before they are decoded, because no finding can be in them.
 */

/**
 * The byte patterns of a rule's `needles`: a file that holds none of them is
 * skipped undecoded. Sound because the file's text is its bytes decoded as
 * UTF-8, and the decoder turns each valid character into exactly its own
 * UTF-8 bytes, one after the other, and anything invalid into U+FFFD: so if
 * the text contains a string without U+FFFD, the bytes contain that string's
 * UTF-8 encoding. A needle with U+FFFD (or an empty one) could be in the text
 * without being in the bytes, so such a rule gets no prefilter at all; so
 * does one with a lone surrogate, which Buffer.from would spell as U+FFFD.
 * The anchor, the longest string inside every needle (`ed_` in `created_at`
 * and `updated_on`), is looked for first: one pass over a file instead of one
 * per needle, and a file without it holds no needle.
 */
export interface BytePatterns {
  readonly anchor?: Buffer;
  readonly needles: readonly Buffer[];
  /** Where the anchor first stands in each needle (needles with an anchor only). */
  readonly anchorAt: readonly number[];
  /** A needle counts only where it could be an assignment's target (`BuiltinRule.needlesAsTargets`). */
  readonly asTargets: boolean;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function bytePatterns(needles: readonly string[] | undefined, asTargets = false): BytePatterns | undefined {
  if (needles === undefined || needles.length === 0 || needles.some((n) => n === '' || n.includes('\uFFFD') || LONE_SURROGATE.test(n))) return undefined;
  const common = commonPart(needles);
  const bytes = needles.map((n) => Buffer.from(n, 'utf8'));
  if (common.length < 2) return { needles: bytes, anchorAt: [], asTargets };
  const anchor = Buffer.from(common, 'utf8');
  return { anchor, needles: bytes, anchorAt: bytes.map((n) => n.indexOf(anchor)), asTargets };
}

/** The longest string that every one of `words` contains (the first found, if several), cut at code points, never inside a surrogate pair. */
export function commonPart(words: readonly string[]): string {
  const shortest = Array.from(words.reduce((a, b) => (b.length < a.length ? b : a)));
  for (let len = shortest.length; len > 0; len--)
    for (let i = 0; i + len <= shortest.length; i++) {
      const part = shortest.slice(i, i + len).join('');
      if (words.every((w) => w.includes(part))) return part;
    }
  return '';
}

/**
 * Whether a rule with these byte patterns can find anything in these bytes.
 * With an anchor, its occurrences are walked from the end (Node's search for a
 * short pattern stops at each occurrence of its first byte, and backwards that
 * is `_` of `ed_` rather than `e`, the commonest letter), and each needle is
 * compared where the anchor would stand in it: one pass over the file, where
 * a search per needle made one per needle. Every occurrence of a needle holds
 * the anchor at its offset in the needle, so no needle is missed.
 */
export function mayMatch(bytes: Buffer, patterns: BytePatterns | undefined): boolean {
  if (patterns === undefined) return true;
  const { anchor, needles, anchorAt } = patterns;
  if (anchor === undefined) {
    for (const needle of needles)
      for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) if (counts(bytes, at, needle.length, patterns)) return true;
    return false;
  }
  for (let a = bytes.lastIndexOf(anchor); a !== -1; a = a === 0 ? -1 : bytes.lastIndexOf(anchor, a - 1)) {
    for (let k = 0; k < needles.length; k++) {
      const needle = needles[k] as Buffer;
      const at = a - (anchorAt[k] as number);
      if (at >= 0 && at + needle.length <= bytes.length && sameBytes(bytes, at, needle) && counts(bytes, at, needle.length, patterns)) return true;
    }
  }
  return false;
}

function sameBytes(bytes: Buffer, at: number, needle: Buffer): boolean {
  for (let i = 0; i < needle.length; i++) if (bytes[at + i] !== needle[i]) return false;
  return true;
}

function counts(bytes: Buffer, at: number, length: number, patterns: BytePatterns): boolean {
  return !patterns.asTargets || couldBeTarget(bytes, at, length);
}

/**
 * Whether the name at bytes[at, at + length) could begin a Python logical
 * line as the target of an assignment or annotation: before it only blanks
 * back to the file's start, a newline or a `;` (where python/lines.ts starts
 * a logical line: it skips space, tab, CR and FF, and nothing else, before a
 * line's first code character); after it, blanks then `:` or `=`. Anything
 * else after it is looked past generously: every byte of 128 or more (a
 * Unicode space, which `\s` would take, is such bytes), and every ASCII blank
 * JS's `\s` knows, however many, so it can only say yes more often than the
 * rules' own test (`^\s*[:=]` within 8 characters). Lines inside strings or
 * brackets also pass: a superset, never a loss.
 */
export function couldBeTarget(bytes: Buffer, at: number, length: number): boolean {
  let i = at - 1;
  while (i >= 0) {
    const c = bytes[i] as number;
    if (c === SPACE || c === TAB || c === CR || c === FF) i--;
    else if (c === NL || c === SEMI) break;
    else return false;
  }
  for (let j = at + length; j < bytes.length; j++) {
    const c = bytes[j] as number;
    if (c === COLON || c === EQ) return true;
    if (!(c >= 128 || c === SPACE || (c >= TAB && c <= CR))) return false;
  }
  return false;
}
