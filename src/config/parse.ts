import { parseDocument } from 'yaml';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, Loc } from './diagnostic.js';
import { error, warning } from './diagnostic.js';
import { fromYamlDocument, isPlainObject, setLoc } from './located.js';
import { SourceText, type SourceStore } from './source-text.js';

export interface Parsed {
  /** The located plain value; undefined when the file could not be parsed at all. */
  readonly value: unknown;
  readonly diagnostics: Diagnostic[];
}

export type FileKind = 'yaml' | 'json' | 'package-json' | 'js';

export function fileKind(file: string): FileKind {
  const base = path.basename(file);
  if (base === 'package.json') return 'package-json';
  const ext = path.extname(base);
  if (ext === '.json') return 'json';
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return 'js';
  return 'yaml';
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
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, merge: false, strict: true });
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
  diagnostics.push(...converted.diagnostics);
  return { value: converted.value, diagnostics };
}

/**
 * JSON is checked by JSON.parse (strict: no trailing commas, no comments) and
 * then read again as YAML, which is a superset, to learn positions.
 */
export function parseJson(file: string, text: string): Parsed {
  try {
    const plain: unknown = JSON.parse(text);
    const located = parseYaml(file, text);
    // Valid JSON that the YAML reader cannot place (rare): keep the value, lose the positions.
    if (located.value === undefined) return { value: plain, diagnostics: [] };
    return located;
  } catch (e) {
    const message = (e as Error).message;
    const match = /at position (\d+)/.exec(message);
    const start = match ? Number(match[1]) : text.length;
    const loc: Loc = { file, start, end: Math.min(start + 1, text.length) };
    return { value: undefined, diagnostics: [error(`JSON syntax error: ${lowerFirst(message.replace(/ in JSON at position \d+.*$/, ''))}`, loc)] };
  }
}

export async function parseFile(file: string, text: string, sources: SourceStore): Promise<Parsed> {
  sources.set(file, new SourceText(file, text));
  const kind = fileKind(file);
  switch (kind) {
    case 'yaml':
      return parseYaml(file, text);
    case 'json':
      return parseJson(file, text);
    case 'package-json': {
      const parsed = parseJson(file, text);
      return { value: isPlainObject(parsed.value) ? parsed.value['orchestra'] : undefined, diagnostics: parsed.diagnostics };
    }
    case 'js':
      return parseJs(file);
  }
}

async function parseJs(file: string): Promise<Parsed> {
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    const value: unknown = mod.default ?? mod;
    if (typeof value === 'object' && value !== null) setLoc(value, { file, start: 0, end: 0 });
    return { value, diagnostics: [] };
  } catch (e) {
    return { value: undefined, diagnostics: [error(`could not load the JavaScript config: ${(e as Error).message}`, { file, start: 0, end: 0 })] };
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
