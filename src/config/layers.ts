import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, Loc } from './diagnostic.js';
import { error } from './diagnostic.js';
import { copyKeyLoc, isPlainObject, locOf, setOwn, type PlainObject } from './located.js';
import { mergeLayers } from './merge.js';
import { parseFile } from './parse.js';
import type { ParseCache } from './parse-cache.js';
import { checkSchema } from './schema-check.js';
import type { SourceStore } from './source-text.js';
import { didYouMean } from './suggest.js';
import { readUserFile } from './user-file.js';
import { pushAll } from '../util/push-all.js';

/** Builtin presets ship in the package's presets/ folder. */
export const PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

export function builtinPresetNames(): string[] {
  return readdirSync(PRESETS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

interface Context {
  readonly sources: SourceStore;
  readonly diagnostics: Diagnostic[];
  /** The directory npm package presets are resolved from (the user's repo). */
  readonly resolveFrom: string;
  readonly files: string[];
  readonly cache: ParseCache;
}

/**
 * Reads a config file and everything it extends, depth first, and merges the
 * layers: earlier `extends` entries under later ones, the file itself on top.
 * Every file is parsed and schema-checked on its own, so a mistake in a preset
 * points into the preset.
 */
export async function loadLayers(
  file: string,
  sources: SourceStore,
  diagnostics: Diagnostic[],
  cache: ParseCache,
): Promise<{ merged: PlainObject; files: string[] }> {
  const ctx: Context = { sources, diagnostics, resolveFrom: path.dirname(file), files: [], cache };
  const merged = await loadLayer(file, ctx, []);
  return { merged, files: ctx.files };
}

async function loadLayer(file: string, ctx: Context, stack: string[], at?: Loc): Promise<PlainObject> {
  const read = readUserFile(file, stack.length === 0 ? 'the config' : 'extends', at, ctx.sources);
  if ('problem' in read) {
    ctx.diagnostics.push(read.problem);
    return {};
  }
  const parsed = await parseFile(file, read.text, ctx.sources, ctx.cache);
  pushAll(ctx.diagnostics, parsed.diagnostics);
  if (parsed.value === undefined) return {};
  // An empty file (or a package.json without the key) is an empty config.
  const value = parsed.value === null ? {} : parsed.value;
  pushAll(ctx.diagnostics, checkSchema('config', value, file));
  if (!isPlainObject(value)) return {};
  const fileLoc: Loc = locOf(value) ?? { file, start: 0, end: 0 };

  const own: PlainObject = { ...value };
  for (const key of ['team', 'spec', 'plan']) {
    const rel = value[key];
    if (typeof rel === 'string') setOwn(own, key, path.resolve(path.dirname(file), rel));
  }
  // The shallow copy lost the side-table positions; carry them over key by key.
  for (const key of Object.keys(value)) copyKeyLoc(own, key, value, key);

  const entries = typeof value['extends'] === 'string' ? [value['extends']] : Array.isArray(value['extends']) ? value['extends'] : [];
  const entriesHolder = Array.isArray(value['extends']) ? value['extends'] : value;
  let merged: PlainObject = {};
  const chain = [...stack, file];
  for (let i = 0; i < entries.length; i++) {
    const name: unknown = entries[i];
    if (typeof name !== 'string') continue;
    const at = (entriesHolder === value ? locOf(value, 'extends') : locOf(entriesHolder, i)) ?? fileLoc;
    const target = resolvePreset(name, path.dirname(file), ctx.resolveFrom);
    if ('problem' in target) {
      ctx.diagnostics.push(error(target.problem, at, target.hint));
      continue;
    }
    if (chain.includes(target.file)) {
      const cycle = [...chain.slice(chain.indexOf(target.file)), target.file].map((f) => path.basename(f));
      ctx.diagnostics.push(error(`extends cycle: ${cycle.join(' -> ')}`, at));
      continue;
    }
    merged = mergeLayers(merged, await loadLayer(target.file, ctx, chain, at), 'union');
  }
  ctx.files.push(file);
  return mergeLayers(merged, own);
}

type Resolved = { file: string } | { problem: string; hint?: string };

/** `./x.yaml` (relative to the extending file), a builtin preset name, or an npm package. */
export function resolvePreset(name: string, fromDir: string, resolveFrom: string): Resolved {
  if (name.startsWith('./') || name.startsWith('../') || path.isAbsolute(name)) {
    const file = path.resolve(fromDir, name);
    return existsSync(file) ? { file } : { problem: `cannot extend '${name}': no such file ${file}` };
  }
  const builtin = path.join(PRESETS_DIR, `${name}.yaml`);
  if (/^[a-z0-9-]+$/.test(name) && existsSync(builtin)) return { file: builtin };
  const fromPackage = resolvePackagePreset(name, resolveFrom);
  if (fromPackage) return fromPackage;
  const builtins = builtinPresetNames();
  return {
    problem: `cannot extend '${name}': not a builtin preset, a relative file (start it with ./), or an installed npm package`,
    hint: didYouMean(name, builtins) ?? `builtin presets: ${builtins.join(', ')}`,
  };
}

function resolvePackagePreset(name: string, resolveFrom: string): Resolved | undefined {
  let pkgJson: string;
  try {
    pkgJson = createRequire(path.join(resolveFrom, 'noop.js')).resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
  const dir = path.dirname(pkgJson);
  const preset = path.join(dir, 'orchestra-preset.yaml');
  if (existsSync(preset)) return { file: preset };
  try {
    const main = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { main?: unknown }).main;
    if (typeof main === 'string' && /\.ya?ml$/.test(main)) return { file: path.resolve(dir, main) };
  } catch {
    // fall through to the problem below
  }
  return { problem: `cannot extend '${name}': the package has no orchestra-preset.yaml and its "main" is not a YAML file` };
}
