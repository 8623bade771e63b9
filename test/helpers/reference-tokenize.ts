/**
 * The regular-expression tokenizer that src/rules/python/tokenize.ts replaced,
 * kept unchanged as the oracle the hand-written scanner is compared with
 * (test/unit/tokenize.test.ts): same tokens, same offsets, same lines.
 */
import type { LogicalLine, Token } from '../../src/rules/python/tokenize.js';

/**
 * One sticky regular expression walks the source (no slicing per character):
 * 1 newline, 2 comment, 3 string opener, 4 name, 5 number, 6 multi-char operator, 7 any other character.
 */
const TOKEN =
  /[ \t\f\r]+|\\\r?\n|(\n)|(#[^\n]*)|((?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?(?:'''|"""|'|"))|([A-Za-z_\u00C0-\uFFFF][\w\u00C0-\uFFFF]*)|(0[xXoObB]\w+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)|(\*\*=|\/\/=|>>=|<<=|\.\.\.|->|:=|==|!=|<=|>=|\*\*|\/\/|<<|>>|[+\-*/%&|^@]=)|([\s\S])/y;

/** The end of a string whose opener ends at `from` (escapes honoured; a one-quote string stops at the line end). */
function stringEnd(src: string, from: number, quote: string): number {
  let j = from;
  for (;;) {
    const next = src.indexOf(quote, j);
    const newline = quote.length === 1 ? src.indexOf('\n', j) : -1;
    if (next === -1) return newline === -1 ? src.length : newline;
    if (newline !== -1 && newline < next) return newline;
    // Count the backslashes before the quote: an odd number escapes it.
    let k = next - 1;
    while (k >= j && src.charCodeAt(k) === 92) k--;
    if ((next - 1 - k) % 2 === 1) {
      j = next + 1;
      continue;
    }
    return next + quote.length;
  }
}

export function referenceTokenize(src: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let current: Token[] = [];
  let depth = 0;
  let indent = 0;
  let lineStart = 0;
  // Where the last statement ended: a statement after `;` shares its line's indentation.
  let lastEnd = -1;
  const endLine = (): void => {
    if (current.length > 0) {
      lines.push({ tokens: current, indent });
      lastEnd = (current.at(-1) as Token).end;
    }
    current = [];
  };
  const re = TOKEN; // sticky and only used synchronously here, so one instance serves every call
  let i = 0;
  while (i < src.length) {
    re.lastIndex = i;
    const m = re.exec(src) as RegExpExecArray;
    const text = m[0];
    const start = i;
    i = re.lastIndex;
    if (m[1] !== undefined) {
      lineStart = i;
      if (depth === 0) endLine();
      continue;
    }
    // A comment, blanks or a backslash continuation: nothing for the line.
    if (m[3] === undefined && m[4] === undefined && m[5] === undefined && m[6] === undefined && m[7] === undefined) continue;
    if (current.length === 0 && depth === 0) indent = lines.length > 0 && lastEnd > lineStart ? (lines.at(-1) as LogicalLine).indent : start - lineStart;
    if (m[3] !== undefined) {
      const quote = m[3].replace(/^[rRbBuUfF]+/, '');
      const end = stringEnd(src, i, quote);
      current.push({ kind: 'string', text: src.slice(start, end), start, end });
      i = end;
      continue;
    }
    if (m[4] !== undefined) {
      current.push({ kind: 'name', text, start, end: i });
      continue;
    }
    if (m[5] !== undefined) {
      current.push({ kind: 'number', text, start, end: i });
      continue;
    }
    if (text === ';' && depth === 0) {
      // `a = 1; b = 2` is two statements on one line.
      endLine();
      continue;
    }
    if (text === '(' || text === '[' || text === '{') depth++;
    else if ((text === ')' || text === ']' || text === '}') && depth > 0) depth--;
    current.push({ kind: 'op', text, start, end: i });
  }
  endLine();
  return lines;
}
