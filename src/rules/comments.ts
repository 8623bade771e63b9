/**
 * Where the comments are in a source file, by the file's comment style;
 * strings are skipped so that "# not a comment" inside quotes stays code.
 */
export type CommentStyle = 'hash' | 'c' | 'none';

const HASH = /\.(py|pyi|sh|bash|zsh|rb|ya?ml|toml|r|pl|cfg|ini|conf)$|(^|\/)(Makefile|Dockerfile|\.gitignore)$/i;
const C = /\.(m?[jt]sx?|cjs|cts|mts|go|rs|java|kt|kts|swift|c|h|cc|cpp|hpp|cs|scala|php|dart|proto)$/i;

export function commentStyle(file: string): CommentStyle {
  if (HASH.test(file)) return 'hash';
  if (C.test(file)) return 'c';
  return 'none';
}

export function commentSpans(text: string, style: CommentStyle): Array<[number, number]> {
  return scan(text, style).comments;
}

/** Comments and string literals: everything in a file that is not code. */
export function nonCodeSpans(text: string, style: CommentStyle): Array<[number, number]> {
  const { comments, strings } = scan(text, style);
  return [...comments, ...strings].sort((a, b) => a[0] - b[0]);
}

function scan(text: string, style: CommentStyle): { comments: Array<[number, number]>; strings: Array<[number, number]> } {
  const spans: Array<[number, number]> = [];
  const strings: Array<[number, number]> = [];
  if (style === 'none') return { comments: spans, strings };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (style === 'hash' && c === '#') {
      const end = text.indexOf('\n', i);
      spans.push([i, end === -1 ? text.length : end]);
      i = end === -1 ? text.length : end;
    } else if (style === 'c' && c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      spans.push([i, end === -1 ? text.length : end]);
      i = end === -1 ? text.length : end;
    } else if (style === 'c' && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      spans.push([i, end === -1 ? text.length : end + 2]);
      i = end === -1 ? text.length : end + 2;
    } else if (c === '"' || c === "'" || (c === '`' && style === 'c')) {
      const triple = style === 'hash' && text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + triple.length;
      while (j < text.length && !text.startsWith(triple, j)) {
        if (text[j] === '\\') j++;
        else if (text[j] === '\n' && triple.length === 1 && c !== '`') break;
        j++;
      }
      strings.push([i, Math.min(text.length, j + triple.length)]);
      i = j + triple.length;
    } else i++;
  }
  return { comments: spans, strings };
}
