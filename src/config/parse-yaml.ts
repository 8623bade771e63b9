import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type * as Jsonc from 'jsonc-parser';
import { createRequire } from 'node:module';
import type { Diagnostic, Loc } from './diagnostic.js';
import { error, warning } from './diagnostic.js';
import { registerInfo, setOwn, type NodeInfo, type PlainObject } from './located.js';
import type { Parsed } from './parse.js';
import { SourceText } from './source-text.js';
import { pushAll } from '../util/push-all.js';

/**
 * Everything that needs the yaml package, which parse.ts loads only when a
 * file is not in the parse cache: it is the slowest module to start.
 */

function rangeLoc(file: string, node: Node | null | undefined, fallback: Loc): Loc {
  const range = node?.range;
  return range ? { file, start: range[0], end: range[1] } : fallback;
}

/**
 * The most alias expansions a file may make, nested ones included, and the
 * most values those expansions may produce (both documented in README): a
 * config repeats a list or a map by alias a few times, a bomb millions.
 */
export const MAX_ALIAS_EXPANSIONS = 1000;
export const MAX_ALIASED_VALUES = 100_000;

/**
 * Converts a parsed YAML document to plain values, recording the position of
 * every key and value. Aliases are expanded (and keep the alias's position).
 */
export function fromYamlDocument(doc: Document, file: string): { value: unknown; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const whole: Loc = { file, start: 0, end: 0 };
  // Every expansion counts, nested ones too: 432 bytes of aliases of aliases expand to gigabytes.
  let aliases = 0;
  let aliased = 0;
  const tooMany = (what: string): null => {
    if (!diagnostics.some((d) => d.message.startsWith('too many aliases')))
      diagnostics.push(error(`too many aliases: ${what}; a config repeats a value a few times, not this often (an alias bomb?)`, lastAlias));
    return null;
  };
  let lastAlias: Loc = whole;

  const convert = (node: unknown, at: Loc, depth: number, viaAlias = false): unknown => {
    if (viaAlias && ++aliased > MAX_ALIASED_VALUES) return tooMany(`the aliases expand to more than ${MAX_ALIASED_VALUES} values`);
    if (depth > 100) {
      diagnostics.push(error('the document nests deeper than 100 levels (a recursive alias?)', at));
      return null;
    }
    if (isAlias(node)) {
      lastAlias = at;
      if (++aliases > MAX_ALIAS_EXPANSIONS) return tooMany(`more than ${MAX_ALIAS_EXPANSIONS} alias expansions, counting aliases inside aliases`);
      const target = node.resolve(doc);
      if (!target) diagnostics.push(error(`unknown alias '*${node.source}': no anchor '&${node.source}' comes before it`, at));
      return target ? convert(target, at, depth + 1, true) : null;
    }
    if (isScalar(node)) return node.value;
    if (isMap(node)) {
      const obj: PlainObject = {};
      const info: NodeInfo = { self: rangeLoc(file, node, at), keys: new Map(), values: new Map() };
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const keyLoc = rangeLoc(file, keyNode, info.self);
        if (!isScalar(keyNode) || typeof keyNode.value === 'object') {
          diagnostics.push(error('keys must be plain strings', keyLoc));
          continue;
        }
        const key = String(keyNode.value);
        // Checked here, by a Map, not by the yaml package's uniqueKeys, which compares each key with every key before it.
        if (info.keys.has(key)) {
          diagnostics.push(error(yamlMessages['DUPLICATE_KEY']?.(key) ?? key, keyLoc));
          continue;
        }
        const valueNode = pair.value as Node | null;
        const valueLoc = valueNode ? rangeLoc(file, valueNode, keyLoc) : { file, start: keyLoc.end, end: keyLoc.end };
        info.keys.set(key, keyLoc);
        info.values.set(key, valueLoc);
        setOwn(obj, key, valueNode === null ? null : convert(valueNode, valueLoc, depth + 1, viaAlias));
      }
      registerInfo(obj, info);
      return obj;
    }
    if (isSeq(node)) {
      const arr: unknown[] = [];
      const info: NodeInfo = { self: rangeLoc(file, node, at), keys: new Map(), values: new Map() };
      node.items.forEach((item, i) => {
        const itemLoc = rangeLoc(file, item as Node, info.self);
        info.keys.set(i, itemLoc);
        info.values.set(i, itemLoc);
        arr.push(convert(item, itemLoc, depth + 1, viaAlias));
      });
      registerInfo(arr, info);
      return arr;
    }
    return node ?? null;
  };

  const root = doc.contents as Node | null;
  const value = root === null ? null : convert(root, rangeLoc(file, root, whole), 0);
  return { value, diagnostics };
}

const yamlMessages: Record<string, (text: string) => string> = {
  DUPLICATE_KEY: (key) => `duplicate key '${key}': each key may appear once in a mapping`,
  TAB_AS_INDENT: () => 'tabs are not allowed for indentation in YAML; indent with spaces',
};

/** The rest of a key at a position, so a duplicate-key error underlines the whole key. */
function tokenAt(text: string, start: number): number {
  let end = start;
  while (end < text.length && !/[:\n\r]/.test(text[end] as string)) end++;
  return Math.max(end, start + 1);
}

export function parseYaml(file: string, text: string): Parsed {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, merge: false, strict: true });
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
  const converted = fromYamlDocument(doc, file);
  pushAll(diagnostics, converted.diagnostics);
  // A broken alias or key leaves holes that the schema would report again; one report is enough.
  return { value: converted.diagnostics.length > 0 ? undefined : converted.value, diagnostics };
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
