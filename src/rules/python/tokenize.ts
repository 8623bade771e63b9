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

const STRING_START = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?(?:'''|"""|'|")/;
const NAME = /^[A-Za-z_\u00C0-\uFFFF][\w\u00C0-\uFFFF]*/;
const NUMBER = /^(?:0[xXoObB][\w]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)/;
const OPS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '==', '!=', '<=', '>=', '**', '//', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];

export function tokenize(src: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let current: Token[] = [];
  let depth = 0;
  let indent = 0;
  let lineStart = 0;
  // Where the last statement ended: a statement after `;` shares its line's indentation.
  let lastEnd = -1;
  const endLine = (): void => {
    const code = current.filter((t) => t.kind !== 'comment');
    if (code.length > 0) {
      lines.push({ tokens: code, indent });
      lastEnd = (code.at(-1) as Token).end;
    }
    current = [];
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\n') {
      i++;
      lineStart = i;
      if (depth === 0) endLine();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (current.length === 0 && depth === 0) indent = current.length === 0 && lines.length > 0 && lastEnd > lineStart ? (lines.at(-1) as LogicalLine).indent : i - lineStart;
    const rest = src.slice(i, i + 4);
    if (c === '#') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      current.push({ kind: 'comment', text: src.slice(i, stop), start: i, end: stop });
      i = stop;
      continue;
    }
    const quote = STRING_START.exec(src.slice(i, i + 5));
    if (quote) {
      const opener = quote[0].replace(/^[rRbBuUfF]+/, '');
      const raw = /[rR]/.test(quote[0].slice(0, quote[0].length - opener.length));
      let j = i + quote[0].length;
      for (;;) {
        if (j >= src.length) break;
        const ch = src[j] as string;
        if (ch === '\\' && !raw) {
          j += 2;
          continue;
        }
        if (ch === '\\' && raw) {
          j += 2; // a raw string still cannot end with an escaped quote
          continue;
        }
        if (src.startsWith(opener, j)) {
          j += opener.length;
          break;
        }
        if (ch === '\n' && opener.length === 1) break; // unterminated: stop at the line end
        j++;
      }
      current.push({ kind: 'string', text: src.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const name = NAME.exec(rest.length < 4 ? src.slice(i) : src.slice(i, i + 200));
    if (name) {
      current.push({ kind: 'name', text: name[0], start: i, end: i + name[0].length });
      i += name[0].length;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const num = NUMBER.exec(src.slice(i, i + 100));
      const len = num ? num[0].length : 1;
      current.push({ kind: 'number', text: src.slice(i, i + len), start: i, end: i + len });
      i += len;
      continue;
    }
    if (c === ';' && depth === 0) {
      // `a = 1; b = 2` is two statements on one line.
      endLine();
      i++;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i)) ?? c;
    if (op === '(' || op === '[' || op === '{') depth++;
    else if ((op === ')' || op === ']' || op === '}') && depth > 0) depth--;
    current.push({ kind: 'op', text: op, start: i, end: i + op.length });
    i += op.length;
  }
  endLine();
  return lines;
}
