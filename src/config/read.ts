import type { Loc } from './diagnostic.js';
import { isPlainObject, locOf, type PlainObject } from './located.js';
import type { Ref } from './types.js';

/**
 * Defensive readers over located values. The schema has already reported a
 * value of the wrong type; these return undefined for it, so the semantic
 * checks can still run on everything else and report every problem at once.
 */
export function getString(obj: PlainObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}

export function getNumber(obj: PlainObject, key: string): number | undefined {
  const v = obj[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function getBoolean(obj: PlainObject, key: string): boolean | undefined {
  const v = obj[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function getStrings(obj: PlainObject, key: string): string[] | undefined {
  const v = obj[key];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined;
}

export function getObject(obj: PlainObject, key: string): PlainObject | undefined {
  const v = obj[key];
  return isPlainObject(v) ? v : undefined;
}

export function getObjects(obj: PlainObject, key: string): PlainObject[] {
  const v = obj[key];
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

export function getStringMap(obj: PlainObject, key: string): Record<string, string> {
  const v = getObject(obj, key);
  const out: Record<string, string> = {};
  if (v) for (const [k, s] of Object.entries(v)) if (typeof s === 'string') out[k] = s;
  return out;
}

/** Where a key's value was written, or the object itself, or the file start. */
export function loc(obj: unknown, key: string | number | undefined, fallback: Loc, part: 'key' | 'value' = 'value'): Loc {
  return locOf(obj, key, part) ?? fallback;
}

/** A list of names as Refs, each with its own position. */
export function getRefs(obj: PlainObject, key: string, fallback: Loc): Ref[] | undefined {
  const v = obj[key];
  if (!Array.isArray(v)) return undefined;
  const refs: Ref[] = [];
  v.forEach((item, i) => {
    if (typeof item === 'string') refs.push({ id: item, loc: loc(v, i, fallback) });
  });
  return refs;
}

export function getRef(obj: PlainObject, key: string, fallback: Loc): Ref | undefined {
  const id = getString(obj, key);
  return id === undefined ? undefined : { id, loc: loc(obj, key, fallback) };
}
