import type { ErrorObject } from 'ajv';
import type { Diagnostic } from './diagnostic.js';
import { error } from './diagnostic.js';
import { locAtPointer } from './located.js';
import { didYouMean } from './suggest.js';
import { validateConfig, validatePlan, validateTeam } from './schema-validators.js';

/** `plan`: a planner's answer (schemas/plan.schema.json). */
export type SchemaName = 'config' | 'team' | 'plan';

/** Validates one file's located value against its JSON schema and explains each error in words. */
export function checkSchema(schema: SchemaName, value: unknown, file: string): Diagnostic[] {
  const validate = schema === 'config' ? validateConfig : schema === 'team' ? validateTeam : validatePlan;
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  // The validator keeps its last errors until its next call: 300,000 of them (a 100,000-gate file with mistakes) would stay alive through the rest of the load.
  validate.errors = null;
  return explain(errors, value, file);
}

function dotted(pointer: string): string {
  if (pointer === '') return '(top level)';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');
}

function describeValue(data: unknown): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  // Bounded: a 5 MB string is named by its start, not echoed.
  if (typeof data === 'string') return data.length > 60 ? `'${data.slice(0, 60)}…' (${data.length} characters)` : `'${data}'`;
  return String(data);
}

const typeWords: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

function typeWord(schema: unknown): string {
  const s = schema as { type?: string | string[]; items?: { type?: string } } | undefined;
  const type = s?.type;
  if (type === 'array' && s?.items?.type) return `a list of ${s.items.type}s`;
  if (typeof type === 'string') return typeWords[type] ?? type;
  return 'a valid value';
}

/**
 * A oneOf failure also reports each branch's failure; one message per place
 * is enough. When the value has the type of one branch (a string where a
 * string or a mapping may go), that branch's own complaint is the useful one
 * ("expected one of auto, required, off"); when it has none, the oneOf's.
 */
/** Marks of oneOfChoice, per error: dropped (as a branch's or a oneOf's), kept (the fitting branch's). */
const DROP = 1;
const KEEP = 2;

function oneOfChoice(errors: readonly ErrorObject[]): Uint8Array {
  // Marks by index, not Sets of error objects: 300,000 errors (a 100,000-gate file with mistakes) made Sets of hundreds of thousands.
  const marks = new Uint8Array(errors.length);
  // Grouped by place first: comparing every oneOf with every error is quadratic in a file with thousands of mistakes.
  const byPlace = new Map<string, number[]>();
  for (let k = 0; k < errors.length; k++) {
    const path = (errors[k] as ErrorObject).instancePath;
    const list = byPlace.get(path);
    if (list) list.push(k);
    else byPlace.set(path, [k]);
  }
  for (let o = 0; o < errors.length; o++) {
    const one = errors[o] as ErrorObject;
    if (one.keyword !== 'oneOf') continue;
    const prefix = `${one.schemaPath.endsWith('/oneOf') ? one.schemaPath.slice(0, -'/oneOf'.length) : one.schemaPath}/oneOf/`;
    const count = ((one.schema as unknown[] | undefined) ?? []).length;
    // Each branch's errors, by the branch's index in the schemaPath (a few branches: an array, not a Map per oneOf).
    const branches: number[][] = [];
    for (const k of byPlace.get(one.instancePath) ?? []) {
      const { schemaPath } = errors[k] as ErrorObject;
      if (k === o || !schemaPath.startsWith(prefix)) continue;
      const slash = schemaPath.indexOf('/', prefix.length);
      const i = schemaPath.slice(prefix.length, slash === -1 ? undefined : slash);
      const b = Number(i);
      if (Number.isInteger(b) && b >= 0 && b < count && String(b) === i) (branches[b] ??= []).push(k);
      marks[k] = (marks[k] as number) | DROP;
    }
    let fitting = -1;
    for (let b = 0; b < count && fitting === -1; b++) if (!(branches[b] ?? []).some((k) => (errors[k] as ErrorObject).keyword === 'type')) fitting = b;
    if (fitting === -1) continue;
    marks[o] = (marks[o] as number) | DROP;
    for (const k of branches[fitting] ?? []) marks[k] = (marks[k] as number) | KEEP;
  }
  return marks;
}

function explain(errors: readonly ErrorObject[], root: unknown, file: string): Diagnostic[] {
  const marks = oneOfChoice(errors);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < errors.length; k++) {
    const e = errors[k] as ErrorObject;
    if (marks[k] === DROP) continue; // dropped and not kept
    if (e.keyword === 'propertyNames') continue; // reported by the inner error, which names the key
    const d = explainOne(e, root, file);
    const key = `${d.loc?.start}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}

/**
 * The fix for a plain string where a list or a mapping goes, written out: a
 * string `files: src/**` is not taken as a one-item list (a typo of a list
 * and a single glob look alike, and the schema stays one shape), so the error
 * shows the list; a string `scope` shows the mapping it stands for.
 */
export function shapeHint(pointer: string, schema: unknown, data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  const key = pointer.split('/').pop()?.replace(/~1/g, '/').replace(/~0/g, '~') ?? '';
  const s = schema as { type?: unknown; properties?: Record<string, unknown> } | undefined;
  const quoted = JSON.stringify(data);
  if (s?.type === 'array') return `write a list, even of one: ${key}: [${quoted}]`;
  if (s?.type === 'object' && s.properties) {
    if ('touch' in s.properties) return `${key} is a mapping of globs: ${key}: { touch: [${quoted}] }`;
    const keys = Object.keys(s.properties);
    if (keys.length) return `${key} is a mapping with keys: ${keys.join(', ')}`;
  }
  return undefined;
}

function explainOne(e: ErrorObject, root: unknown, file: string): Diagnostic {
  const where = dotted(e.instancePath);
  const fallback = { file, start: 0, end: 0 };
  const at = locAtPointer(root, e.instancePath) ?? fallback;
  const params = e.params as Record<string, unknown>;
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const loc = locAtPointer(root, `${e.instancePath}/${propertyName.replace(/~/g, '~0').replace(/\//g, '~1')}`, 'key') ?? at;
    return error(`${where}: '${propertyName}' is not a valid name: use letters, digits and _ . : / - (not first)`, loc);
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const loc = locAtPointer(root, `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, 'key') ?? at;
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = didYouMean(key, known) ?? (known.length ? `expected one of: ${known.join(', ')}` : undefined);
      return error(e.instancePath === '' ? `unknown top-level key '${key}'` : `unknown key '${key}' in ${where}`, loc, hint);
    }
    case 'required':
      return error(`${where}: missing required key '${String(params['missingProperty'])}'`, at);
    case 'type':
      return error(`${where}: expected ${typeWord(e.parentSchema)}, got ${describeValue(e.data)}`, at, shapeHint(e.instancePath, e.parentSchema, e.data));
    case 'oneOf': {
      const branches = ((e.schema as unknown[] | undefined) ?? []).map(typeWord);
      return error(`${where}: expected ${branches.join(' or ')}, got ${describeValue(e.data)}`, at);
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      return error(`${where}: expected one of ${allowed.join(', ')}; got ${describeValue(e.data)}`, at, didYouMean(String(e.data), allowed));
    }
    case 'minimum':
      return error(`${where}: must be at least ${String(params['limit'])}, got ${describeValue(e.data)}`, at);
    case 'minLength':
      return error(`${where}: must not be empty`, at);
    case 'minItems':
      return error(`${where}: must not be an empty list`, at);
    case 'pattern':
      return error(
        `${where}: ${describeValue(e.data)} is not valid: ${(e.parentSchema as { description?: string } | undefined)?.description ?? `must match ${String(params['pattern'])}`}`,
        at,
      );
    default:
      return error(`${where}: ${e.message ?? 'is not valid'}`, at);
  }
}
