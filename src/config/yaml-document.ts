import { Composer, Parser, YAMLParseError, type CST, type Document } from 'yaml';

export const YAML_OPTIONS = { prettyErrors: false, uniqueKeys: false, merge: false, strict: true } as const;

/**
 * A double-quoted scalar at least this long is read by the cheap path below.
 * Shorter ones cost yaml little; the check costs a scan of the file's lines.
 */
export const LONG_SCALAR = 1024;

/**
 * The yaml package's parseDocument (with YAML_OPTIONS), except that a long
 * double-quoted scalar with nothing to unescape or fold is composed as the
 * single-quoted scalar of the same text. yaml builds a double-quoted value one
 * character at a time (`res += ch`): a 5 MB string is five million string
 * pieces, 2.6 s, most of it garbage collection (issue 20). A single-quoted
 * value is one slice. The two read the same when the text between the quotes
 * has no backslash (escapes), no line break (folding) and no `''` (the
 * single-quoted escape); the scalar keeps its offsets, since only its quotes
 * change. Nothing downstream reads a scalar's quoting style.
 */
export function parseYamlDocument(text: string): Document.Parsed {
  const composer = new Composer(YAML_OPTIONS);
  const tokens = new Parser().parse(text);
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(hasLongLine(text) ? cheapQuotes(tokens) : tokens, true, text.length)) {
    if (!doc) doc = next;
    else {
      // As parseDocument says it (the documents after the first are not read).
      doc.errors.push(
        new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'),
      );
      break;
    }
  }
  // compose(..., true) ends with a document, an empty one for empty text.
  return doc as Document.Parsed;
}

/** Whether any line is as long as LONG_SCALAR: a scalar rewritten below is on one line. */
export function hasLongLine(text: string): boolean {
  if (text.length < LONG_SCALAR) return false;
  let from = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
    if (nl - from >= LONG_SCALAR) return true;
    from = nl + 1;
  }
  return text.length - from >= LONG_SCALAR;
}

/** Whether the text of a double-quoted token reads the same single-quoted: see parseYamlDocument. */
export function readsSameSingleQuoted(source: string): boolean {
  if (source.length < 2 || source.charCodeAt(source.length - 1) !== 34) return false; // no closing quote: yaml says so
  return !/[\\\n\r]|''/.test(source.slice(1, -1));
}

function* cheapQuotes(tokens: Generator<CST.Token>): Generator<CST.Token> {
  for (const token of tokens) {
    if (token.type === 'document' && token.value) rewrite(token.value);
    yield token;
  }
}

/** Rewrites in place every long double-quoted scalar under `root` that reads the same single-quoted. */
function rewrite(root: CST.Token): void {
  // A stack, not recursion: a flow collection may nest thousands deep.
  const stack: CST.Token[] = [root];
  for (let token = stack.pop(); token !== undefined; token = stack.pop()) {
    if (token.type === 'double-quoted-scalar') {
      if (token.source.length >= LONG_SCALAR && readsSameSingleQuoted(token.source)) {
        token.type = 'single-quoted-scalar';
        token.source = `'${token.source.slice(1, -1)}'`;
      }
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      for (const item of token.items) {
        if (item.key) stack.push(item.key);
        if (item.value) stack.push(item.value);
      }
    }
  }
}
