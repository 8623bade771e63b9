import type * as Jsonc from 'jsonc-parser';
import { createRequire } from 'node:module';
import type { Diagnostic } from './diagnostic.js';
import { error, warning } from './diagnostic.js';
import type { Parsed } from './parse.js';
import { SourceText } from './source-text.js';
import { duplicateKeyMessage, YamlConverter } from './yaml-convert.js';
import { planPieces } from './yaml-pieces.js';
import { parseYamlDocument } from './yaml-document.js';
import { readPieces } from './yaml-read-pieces.js';
import { pushAll } from '../util/push-all.js';

/**
 * Everything that needs the yaml package, which parse.ts loads only when a
 * file is not in the parse cache: it is the slowest module to start.
 */

const yamlMessages: Record<string, (text: string) => string> = {
  DUPLICATE_KEY: duplicateKeyMessage,
  TAB_AS_INDENT: () => 'tabs are not allowed for indentation in YAML; indent with spaces',
};

/** The rest of a key at a position, so a duplicate-key error underlines the whole key. */
function tokenAt(text: string, start: number): number {
  let end = start;
  while (end < text.length && !/[:\n\r]/.test(text[end] as string)) end++;
  return Math.max(end, start + 1);
}

export function parseYaml(file: string, text: string): Parsed {
  // A large file is read in pieces (yaml-pieces.ts); any problem there and it is read whole, for the whole read's diagnostics.
  const plan = planPieces(text);
  const value = plan === undefined ? undefined : readPieces(file, text, plan);
  return value === undefined ? parseYamlWhole(file, text) : { value, diagnostics: [] };
}

/** The file read as one document: every diagnostic of the yaml package, and of the conversion. */
export function parseYamlWhole(file: string, text: string): Parsed {
  const doc = parseYamlDocument(text);
  const diagnostics: Diagnostic[] = [];
  const linesSeen = new Set<number>();
  const source = new SourceText(file, text);
  for (const e of doc.errors) {
    const [start, rawEnd] = e.pos;
    const line = source.position(start).line;
    // One mistake often yields several parser errors on the same line; the first is the useful one.
    if (linesSeen.has(line)) continue;
    linesSeen.add(line);
    const end = e.code === 'DUPLICATE_KEY' ? tokenAt(text, start) : rawEnd;
    const describe = yamlMessages[e.code];
    const message = describe ? describe(text.slice(start, end).trim()) : `YAML syntax error: ${lowerFirst(e.message)}`;
    diagnostics.push(error(message, { file, start, end }));
  }
  for (const w of doc.warnings) {
    diagnostics.push(warning(`YAML: ${lowerFirst(w.message)}`, { file, start: w.pos[0], end: w.pos[1] }));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { value: undefined, diagnostics };
  const converter = new YamlConverter(file);
  const value = converter.document(doc);
  pushAll(diagnostics, converter.diagnostics);
  // A broken alias or key leaves holes that the schema would report again; one report is enough.
  return { value: converter.diagnostics.length > 0 ? undefined : value, diagnostics };
}

/**
 * JSON is checked by JSON.parse (strict: no trailing commas, no comments) and
 * then read again as YAML, which is a superset, to learn positions.
 */
export function parseJson(file: string, text: string): Parsed {
  try {
    JSON.parse(text);
  } catch (e) {
    return { value: undefined, diagnostics: [jsonSyntaxError(file, text, e as Error)] };
  }
  const located = parseYaml(file, text);
  // Valid JSON that the YAML reader cannot place (rare): keep the value, lose the positions.
  return located.value === undefined ? { value: JSON.parse(text) as unknown, diagnostics: [] } : located;
}

const jsonErrorWords: Record<string, string> = {
  InvalidSymbol: 'an unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name in double quotes (no trailing comma before })',
  ValueExpected: 'a value (no trailing comma before ])',
  ColonExpected: "a ':' after the property name",
  CommaExpected: "a ',' between items",
  CloseBraceExpected: "a closing '}'",
  CloseBracketExpected: "a closing ']'",
  EndOfFileExpected: 'the end of the file after the value',
  InvalidCommentToken: 'no comments (JSON has none)',
  UnexpectedEndOfComment: 'a closed comment',
  UnexpectedEndOfString: 'a closing double quote',
  UnexpectedEndOfNumber: 'a complete number',
  InvalidUnicode: 'a valid \\u escape',
  InvalidEscapeCharacter: 'a valid escape',
  InvalidCharacter: 'no control characters inside strings',
};

/**
 * Node 20's JSON.parse does not always say where it failed (a trailing comma
 * gives only "Unexpected token"), so the position comes from jsonc-parser,
 * loaded only on this error path.
 */
function jsonSyntaxError(file: string, text: string, cause: Error): Diagnostic {
  const jsonc = createRequire(import.meta.url)('jsonc-parser') as typeof Jsonc;
  const errors: Jsonc.ParseError[] = [];
  jsonc.parse(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const code = jsonc.printParseErrorCode(first.error);
    const start = Math.min(first.offset, text.length);
    return error(`JSON syntax error: expected ${jsonErrorWords[code] ?? code}`, { file, start, end: Math.min(start + Math.max(1, first.length), text.length) });
  }
  const match = /at position (\d+)/.exec(cause.message);
  const start = match ? Number(match[1]) : text.length;
  return error(`JSON syntax error: ${lowerFirst(cause.message)}`, { file, start, end: Math.min(start + 1, text.length) });
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
