import { completeLocated, Positions, setOwn, type PlainObject } from './located.js';
import { resolvePlainScalar } from './yaml-core-scalar.js';

/**
 * The flow half of the plain YAML reader (yaml-plain.ts): one-line flow
 * lists and maps and quoted scalars, the scalars' first characters, and the
 * characters both halves test. Each read gives yaml's range for its node, or
 * undefined for what the plain reader gives up on.
 */

export const LF = 10;
export const SPACE = 32;
export const DQUOTE = 34;
export const SQUOTE = 39;
export const COMMA = 44;
export const DASH = 45;
export const COLON = 58;
export const LBRACKET = 91;
export const RBRACKET = 93;
export const LBRACE = 123;
export const RBRACE = 125;
export const HASH = 35;
export const BACKSLASH = 92;

/** Nested collections deeper than this are left to YamlConverter, which reports depth over 100. */
export const MAX_DEPTH = 90;

/** A key this reader takes: plain, starting with a letter or `_`, of characters that cannot make it anything but a string. */
export function keyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === DASH || c === 46 || c === 47;
}
export function keyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
/** Keys the core schema reads as null or a boolean, not a string. */
export const NOT_STRING_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/** A value read and the offsets of its node. */
export interface Read {
  value: unknown;
  start: number;
  end: number;
  after: number;
}

/** Reads flow values of `text[.., to)`; the block reader (yaml-plain.ts) builds on it. */
export class FlowReader {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly to: number,
  ) {}

  /** A flow collection or quoted scalar at `p`, on one line; `after` is its end (inside a flow, yaml's range[2] is not used). */
  flow(p: number, depth: number): Read | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const c = this.text.charCodeAt(p);
    if (c === LBRACKET) return this.flowSeq(p, depth);
    if (c === LBRACE) return this.flowMap(p, depth);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(p, c);
    return this.flowPlain(p);
  }

  skipSpaces(p: number): number {
    while (this.text.charCodeAt(p) === SPACE) p++;
    return p;
  }

  flowSeq(open: number, depth: number): Read | undefined {
    const { text, file } = this;
    const arr: unknown[] = [];
    const positions = new Positions({ file, start: open, end: open });
    let p = this.skipSpaces(open + 1);
    if (text.charCodeAt(p) !== RBRACKET) {
      for (;;) {
        const item = this.flow(p, depth + 1);
        if (item === undefined) return undefined;
        positions.setRange(arr.length, file, item.start, item.end, item.start, item.end);
        arr.push(item.value);
        p = this.skipSpaces(item.end);
        const c = text.charCodeAt(p);
        if (c === RBRACKET) break;
        if (c !== COMMA) return undefined; // `[a: b]` is a pair, `[a b` a mistake
        p = this.skipSpaces(p + 1);
        if (text.charCodeAt(p) === RBRACKET) return undefined; // a trailing comma
      }
    }
    const end = p + 1;
    return { value: completeLocated(arr, positions, { file, start: open, end }), start: open, end, after: end };
  }

  flowMap(open: number, depth: number): Read | undefined {
    const { text, file, to } = this;
    const obj: PlainObject = {};
    const positions = new Positions({ file, start: open, end: open });
    let p = this.skipSpaces(open + 1);
    if (text.charCodeAt(p) !== RBRACE) {
      for (;;) {
        if (!keyStart(text.charCodeAt(p))) return undefined;
        let keyEnd = p + 1;
        while (keyEnd < to && keyChar(text.charCodeAt(keyEnd))) keyEnd++;
        if (text.charCodeAt(keyEnd) !== COLON || text.charCodeAt(keyEnd + 1) !== SPACE) return undefined;
        const name = text.slice(p, keyEnd);
        if (NOT_STRING_KEY.test(name) || positions.has(name)) return undefined;
        const v = this.skipSpaces(keyEnd + 2);
        const value = this.flow(v, depth + 1);
        if (value === undefined) return undefined;
        positions.setRange(name, file, p, keyEnd, value.start, value.end);
        setOwn(obj, name, value.value);
        p = this.skipSpaces(value.end);
        const c = text.charCodeAt(p);
        if (c === RBRACE) break;
        if (c !== COMMA) return undefined;
        p = this.skipSpaces(p + 1);
        if (text.charCodeAt(p) === RBRACE) return undefined;
      }
    }
    const end = p + 1;
    return { value: completeLocated(obj, positions, { file, start: open, end }), start: open, end, after: end };
  }

  /** A quoted scalar on one line; a double-quoted one without a backslash (an escape), a single-quoted one may double its quote. */
  quoted(open: number, quote: number): Read | undefined {
    const { text, to } = this;
    let p = open + 1;
    let doubled = false;
    for (;;) {
      if (p >= to) return undefined;
      const c = text.charCodeAt(p);
      if (c === LF) return undefined; // folded over lines: yaml's
      if (c === BACKSLASH && quote === DQUOTE) return undefined; // an escape: yaml's
      if (c === quote) {
        if (quote === SQUOTE && text.charCodeAt(p + 1) === SQUOTE) {
          doubled = true;
          p += 2;
          continue;
        }
        break;
      }
      p++;
    }
    const raw = text.slice(open + 1, p);
    return { value: doubled ? raw.replace(/''/g, "'") : raw, start: open, end: p + 1, after: p + 1 };
  }

  /** A plain scalar inside a flow collection: up to a `,`, a bracket or brace, or the line's end; never with a `:`. */
  flowPlain(p: number): Read | undefined {
    const { text, to } = this;
    if (!plainStart(text.charCodeAt(p), text.charCodeAt(p + 1), true)) return undefined;
    let e = p;
    for (; e < to; e++) {
      const c = text.charCodeAt(e);
      if (c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE || c === LF) break;
      if (c === COLON) return undefined; // a pair inside a sequence, or a `:` yaml reads its own way
      if (c === HASH && text.charCodeAt(e - 1) === SPACE) return undefined;
    }
    while (text.charCodeAt(e - 1) === SPACE) e--;
    if (e <= p) return undefined;
    return { value: resolvePlainScalar(text.slice(p, e)), start: p, end: e, after: e };
  }
}

/**
 * Whether a plain scalar may start with `c` (followed by `next`): not an
 * indicator, except a `-` before something that is not a space (`-1`,
 * `--flag`); in a flow, not before a flow indicator either.
 */
export function plainStart(c: number, next: number, inFlow: boolean): boolean {
  switch (c) {
    case DASH:
      return !(
        Number.isNaN(next) ||
        next === SPACE ||
        next === LF ||
        (inFlow && (next === COMMA || next === RBRACKET || next === RBRACE || next === LBRACKET || next === LBRACE))
      );
    case COMMA:
    case LBRACKET:
    case RBRACKET:
    case LBRACE:
    case RBRACE:
    case DQUOTE:
    case SQUOTE:
    case COLON:
    case 63: // ?
    case HASH:
    case 38: // & an anchor
    case 42: // * an alias
    case 33: // ! a tag
    case 124: // | a literal block scalar
    case 62: // > a folded one
    case 37: // % a directive
    case 64: // @ reserved
    case 96: // ` reserved
    case SPACE:
    case LF:
      return false;
    default:
      return !Number.isNaN(c);
  }
}
