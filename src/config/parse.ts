import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';
import { isPlainObject, setLoc } from './located.js';
import { noParseCache, type ParseCache } from './parse-cache.js';
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

export async function parseFile(file: string, text: string, sources: SourceStore, cache: ParseCache = noParseCache): Promise<Parsed> {
  sources.set(file, new SourceText(file, text));
  const kind = fileKind(file);
  if (kind === 'js') return parseJs(file);
  let parsed: Parsed;
  const cached = cache.get(file, text);
  if (cached !== undefined) {
    parsed = { value: cached, diagnostics: [] };
  } else {
    // Most files are of the plain subset, read without loading the yaml package at all (yaml-plain.ts, json-plain.ts).
    const plain = kind === 'yaml' ? (await import('./yaml-plain.js')).readPlainYaml(file, text) : (await import('./json-plain.js')).readPlainJson(file, text);
    if (plain !== undefined) parsed = { value: plain.value, diagnostics: [] };
    else {
      const { parseJson, parseYaml } = await import('./parse-yaml.js');
      parsed = kind === 'yaml' ? parseYaml(file, text) : parseJson(file, text);
    }
    if (parsed.value !== undefined && parsed.diagnostics.length === 0) cache.set(file, text, parsed.value);
  }
  if (kind === 'package-json') {
    return { value: isPlainObject(parsed.value) ? parsed.value['orchestra'] : undefined, diagnostics: parsed.diagnostics };
  }
  return parsed;
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
