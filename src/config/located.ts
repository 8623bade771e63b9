import type { Loc } from './diagnostic.js';

/**
 * Plain JS values (objects, arrays, scalars) that remember where they were
 * written. The positions live in a side table keyed by the object, so the
 * values themselves stay plain data that ajv and the merge can handle, while
 * any later stage can still ask "where was `gates.unit.needs[1]` written?".
 */
export interface NodeInfo {
  readonly self: Loc;
  readonly keys: Map<string | number, Loc>;
  readonly values: Map<string | number, Loc>;
}

const infos = new WeakMap<object, NodeInfo>();

/** Records where an object and its keys were written (used by the YAML reader). */
export function registerInfo(container: object, info: NodeInfo): void {
  infos.set(container, info);
}

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property even for keys such as `__proto__`. */
export function setOwn(target: PlainObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Where `key` (or its value) of `container` was written; falls back to the container itself. */
export function locOf(container: unknown, key?: string | number, part: 'key' | 'value' = 'value'): Loc | undefined {
  if (typeof container !== 'object' || container === null) return undefined;
  const info = infos.get(container);
  if (!info) return undefined;
  if (key === undefined) return info.self;
  return (part === 'key' ? info.keys.get(key) : info.values.get(key)) ?? info.self;
}

/** Registers a location for an object that has none (a JS config, a value built from a spec). */
export function setLoc(container: object, self: Loc): void {
  if (!infos.has(container)) infos.set(container, { self, keys: new Map(), values: new Map() });
}

/** Records the position of one key on an object that is being assembled (e.g. by the merge). */
export function copyKeyLoc(target: object, targetKey: string | number, source: unknown, sourceKey: string | number): void {
  if (typeof source !== 'object' || source === null) return;
  const from = infos.get(source);
  if (!from) return;
  let info = infos.get(target);
  if (!info) {
    info = { self: from.self, keys: new Map(), values: new Map() };
    infos.set(target, info);
  }
  const keyLoc = from.keys.get(sourceKey);
  const valueLoc = from.values.get(sourceKey);
  if (keyLoc) info.keys.set(targetKey, keyLoc);
  if (valueLoc) info.values.set(targetKey, valueLoc);
}

/**
 * Follows a JSON pointer (as ajv reports it) through located values and
 * returns the position of the last step.
 */
export function locAtPointer(root: unknown, pointer: string, part: 'key' | 'value' = 'value'): Loc | undefined {
  const segments =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let current: unknown = root;
  let loc = locOf(root);
  for (let i = 0; i < segments.length; i++) {
    const raw = segments[i] as string;
    const key: string | number = Array.isArray(current) ? Number(raw) : raw;
    const last = i === segments.length - 1;
    loc = locOf(current, key, last ? part : 'value') ?? loc;
    current = (current as Record<string | number, unknown> | null)?.[key];
  }
  return loc;
}

/**
 * A located value as plain JSON (value plus a mirror tree of positions), so
 * that a parsed file can be cached and restored without parsing it again.
 */
type Span = [number, number];
interface LocTree {
  s: Span;
  k: Record<string, Span>;
  v: Record<string, Span>;
  c: Record<string, LocTree>;
}

export function exportLocated(value: unknown): { value: unknown; locs: LocTree | null } {
  const tree = (node: unknown): LocTree | null => {
    if (typeof node !== 'object' || node === null) return null;
    const info = infos.get(node);
    if (!info) return null;
    const out: LocTree = { s: [info.self.start, info.self.end], k: {}, v: {}, c: {} };
    for (const [key, loc] of info.keys) out.k[key] = [loc.start, loc.end];
    for (const [key, loc] of info.values) out.v[key] = [loc.start, loc.end];
    for (const [key, child] of Object.entries(node)) {
      const sub = tree(child);
      if (sub) out.c[key] = sub;
    }
    return out;
  };
  return { value, locs: tree(value) };
}

export function importLocated(data: { value: unknown; locs: LocTree | null }, file: string): unknown {
  const attach = (node: unknown, t: LocTree | null | undefined): void => {
    if (!t || typeof node !== 'object' || node === null) return;
    const array = Array.isArray(node);
    const key = (k: string): string | number => (array ? Number(k) : k);
    const info: NodeInfo = { self: { file, start: t.s[0], end: t.s[1] }, keys: new Map(), values: new Map() };
    for (const [k, [start, end]] of Object.entries(t.k)) info.keys.set(key(k), { file, start, end });
    for (const [k, [start, end]] of Object.entries(t.v)) info.values.set(key(k), { file, start, end });
    infos.set(node, info);
    for (const [k, child] of Object.entries(t.c)) attach((node as Record<string, unknown>)[k], child);
  };
  attach(data.value, data.locs);
  return data.value;
}
