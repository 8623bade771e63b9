import type { Loc } from './diagnostic.js';

/**
 * Plain JS values (objects, arrays, scalars) that remember where they were
 * written. The positions live in a side table keyed by the object, so the
 * values themselves stay plain data that ajv and the merge can handle, while
 * any later stage can still ask "where was `gates.unit.needs[1]` written?".
 */

/** Per entry: the key, its file, the key's start and end, the value's start and end. */
const STRIDE = 6;
/** Up to this many entries a key is found by a scan; a larger container (a config's gates) gets an index. */
const SCAN = 8;

/**
 * Where a container and each of its entries were written. Numbers in one
 * flat array, not a Loc object per key and value in two Maps: a 100,000-gate
 * config holds half a million of them, and the objects cost 280 MB.
 */
export class Positions {
  // Allocated at its final size when the number of entries is known: an array grown one entry at a time holds twice its length.
  #entries: Array<string | number>;
  #used = 0;
  #index: Map<string | number, number> | undefined;

  /** `self` may be set later, when a container read in pieces is complete; `size`, the number of entries, when known. */
  constructor(
    public self: Loc,
    size = 0,
  ) {
    this.#entries = size > 0 ? new Array<string | number>(size * STRIDE) : [];
  }

  #find(key: string | number): number {
    const entries = this.#entries;
    const used = this.#used;
    if (used <= SCAN * STRIDE) {
      for (let i = 0; i < used; i += STRIDE) if (entries[i] === key) return i;
      return -1;
    }
    if (this.#index === undefined) {
      this.#index = new Map();
      for (let i = 0; i < used; i += STRIDE) this.#index.set(entries[i] as string | number, i);
    }
    return this.#index.get(key) ?? -1;
  }

  has(key: string | number): boolean {
    return this.#find(key) !== -1;
  }

  /** Records (or replaces) where `key` and its value were written; both are in one file. */
  set(key: string | number, keyLoc: Loc, valueLoc: Loc): void {
    this.setRange(key, keyLoc.file, keyLoc.start, keyLoc.end, valueLoc.start, valueLoc.end);
  }

  /**
   * Drops the room an array grown entry by entry keeps for more (it holds up
   * to twice its length, and at least 17 entries): a reader that cannot know
   * the size in advance calls this when a container is complete.
   */
  shrink(): void {
    this.#entries = this.#entries.slice(0, this.#used);
  }

  /** set() from offsets, for a reader that has no Loc objects at hand (yaml-plain.ts: a million of them for 100,000 gates). */
  setRange(key: string | number, file: string, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void {
    const at = this.#find(key);
    const entries = this.#entries;
    const i = at === -1 ? this.#used : at;
    if (at === -1) {
      this.#used += STRIDE;
      this.#index?.set(key, i);
    }
    entries[i] = key;
    entries[i + 1] = file;
    entries[i + 2] = keyStart;
    entries[i + 3] = keyEnd;
    entries[i + 4] = valueStart;
    entries[i + 5] = valueEnd;
  }

  /** Where `key` (part 'key') or its value was written. */
  get(key: string | number, part: 'key' | 'value'): Loc | undefined {
    const i = this.#find(key);
    if (i === -1) return undefined;
    const e = this.#entries;
    const k = part === 'key' ? 2 : 4;
    return { file: e[i + 1] as string, start: e[i + k] as number, end: e[i + k + 1] as number };
  }

  /** Every entry: key, key position, value position. */
  *entries(): Generator<[string | number, Loc, Loc]> {
    const e = this.#entries;
    for (let i = 0; i < this.#used; i += STRIDE) {
      const file = e[i + 1] as string;
      yield [
        e[i] as string | number,
        { file, start: e[i + 2] as number, end: e[i + 3] as number },
        { file, start: e[i + 4] as number, end: e[i + 5] as number },
      ];
    }
  }
}

const infos = new WeakMap<object, Positions>();

/** Records where an object and its keys were written (used by the YAML reader). */
export function registerInfo(container: object, info: Positions): void {
  infos.set(container, info);
}

/**
 * A container a reader built entry by entry (the plain readers), now complete: its own place set, its positions
 * and, for a list, the list itself copied at their final size (grown one entry at a time, an array keeps room for
 * at least 17 more: a gate's one-item lists, 100,000 times), and registered. Returns the value to use.
 */
export function completeLocated<T extends PlainObject | unknown[]>(container: T, positions: Positions, self: Loc): T {
  positions.self = self;
  positions.shrink();
  const value = (Array.isArray(container) ? container.slice() : container) as T;
  registerInfo(value, positions);
  return value;
}

/** The positions recorded for a container, if any. */
export function positionsOf(container: object): Positions | undefined {
  return infos.get(container);
}

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets an own property even for `__proto__`, the one key whose assignment on
 * a plain object does something else (defineProperty for every key costs a
 * second per 100,000 gates).
 */
export function setOwn(target: PlainObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Where `key` (or its value) of `container` was written; falls back to the container itself. */
export function locOf(container: unknown, key?: string | number, part: 'key' | 'value' = 'value'): Loc | undefined {
  if (typeof container !== 'object' || container === null) return undefined;
  const info = infos.get(container);
  if (!info) return undefined;
  if (key === undefined) return info.self;
  return info.get(key, part) ?? info.self;
}

/** Registers a location for an object that has none (a JS config, a value built from a spec). */
export function setLoc(container: object, self: Loc): void {
  if (!infos.has(container)) infos.set(container, new Positions(self));
}

/** Records the position of one key on an object that is being assembled (e.g. by the merge). */
export function copyKeyLoc(target: object, targetKey: string | number, source: unknown, sourceKey: string | number): void {
  if (typeof source !== 'object' || source === null) return;
  const from = infos.get(source);
  if (!from) return;
  let info = infos.get(target);
  if (!info) {
    info = new Positions(from.self);
    infos.set(target, info);
  }
  const keyLoc = from.get(sourceKey, 'key');
  const valueLoc = from.get(sourceKey, 'value');
  if (keyLoc && valueLoc) info.set(targetKey, keyLoc, valueLoc);
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
          .map((s) => (s.includes('~') ? s.replace(/~1/g, '/').replace(/~0/g, '~') : s));
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
    for (const [key, keyLoc, valueLoc] of info.entries()) {
      out.k[key] = [keyLoc.start, keyLoc.end];
      out.v[key] = [valueLoc.start, valueLoc.end];
    }
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
    const info = new Positions({ file, start: t.s[0], end: t.s[1] });
    for (const [k, [start, end]] of Object.entries(t.k)) {
      const [valueStart, valueEnd] = t.v[k] ?? [start, end];
      info.set(key(k), { file, start, end }, { file, start: valueStart, end: valueEnd });
    }
    infos.set(node, info);
    for (const [k, child] of Object.entries(t.c)) attach((node as Record<string, unknown>)[k], child);
  };
  attach(data.value, data.locs);
  return data.value;
}
