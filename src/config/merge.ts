import { copyKeyLoc, isPlainObject, setOwn, type PlainObject } from './located.js';

/**
 * Merges one config layer over another (a preset under the user's file).
 * Pure, and it keeps positions: every key in the result remembers the layer
 * it came from, so a diagnostic about a preset gate points into the preset.
 *
 * - `gates`, `rules`: by name; an entry is merged key by key, and a layer that
 *   sets `run` or `rule` replaces both (a gate is one or the other).
 * - `hooks`: by hook. Between presets (`hooks: 'union'`) the lists join, in
 *   order and without repeats, so `extends: [sqlalchemy, python]` runs both
 *   presets' gates; the user's own file (`'replace'`) sets the list outright.
 * - `phases`: by id; a phase with the same id replaces it in place, new ones append.
 * - anything else: the upper layer wins. `extends` never reaches the result.
 */
export function mergeLayers(base: PlainObject, over: PlainObject, hooks: 'union' | 'replace' = 'replace'): PlainObject {
  const out: PlainObject = {};
  const put = (key: string, value: unknown, from: PlainObject): void => {
    setOwn(out, key, value);
    copyKeyLoc(out, key, from, key);
  };
  for (const [key, value] of Object.entries(base)) if (key !== 'extends') put(key, value, base);
  for (const [key, value] of Object.entries(over)) {
    if (key === 'extends') continue;
    const below = base[key];
    if ((key === 'gates' || key === 'rules') && isPlainObject(below) && isPlainObject(value)) {
      put(key, mergeMap(below, value, mergeEntry), over);
    } else if (key === 'hooks' && isPlainObject(below) && isPlainObject(value)) {
      put(
        key,
        mergeMap(below, value, (b, o) => (hooks === 'union' ? unionList(b, o) : o)),
        over,
      );
    } else if (key === 'phases' && Array.isArray(below) && Array.isArray(value)) {
      put(key, mergePhases(below, value), over);
    } else {
      put(key, value, over);
    }
  }
  return out;
}

function mergeMap(base: PlainObject, over: PlainObject, entry: (b: unknown, o: unknown) => unknown): PlainObject {
  const out: PlainObject = {};
  for (const key of Object.keys(base)) {
    setOwn(out, key, base[key]);
    copyKeyLoc(out, key, base, key);
  }
  for (const key of Object.keys(over)) {
    setOwn(out, key, key in base ? entry(base[key], over[key]) : over[key]);
    copyKeyLoc(out, key, over, key);
  }
  return out;
}

/** Two hook lists joined, first-seen order, each entry keeping the position (the file) it came from. */
function unionList(base: unknown, over: unknown): unknown {
  if (!Array.isArray(base) || !Array.isArray(over)) return over;
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  for (const list of [base, over])
    list.forEach((item, i) => {
      if (seen.has(item)) return;
      seen.add(item);
      copyKeyLoc(out, out.length, list, i);
      out.push(item);
    });
  return out;
}

function mergeEntry(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const replacesKind = 'run' in over || 'rule' in over;
  const out: PlainObject = {};
  for (const key of Object.keys(base)) {
    if (replacesKind && (key === 'run' || key === 'rule')) continue;
    setOwn(out, key, base[key]);
    copyKeyLoc(out, key, base, key);
  }
  for (const key of Object.keys(over)) {
    const b = base[key];
    const o = over[key];
    setOwn(out, key, key === 'options' && isPlainObject(b) && isPlainObject(o) ? mergeMap(b, o, (_x, y) => y) : o);
    copyKeyLoc(out, key, over, key);
  }
  return out;
}

function mergePhases(base: unknown[], over: unknown[]): unknown[] {
  const out: unknown[] = [];
  const sources: Array<[unknown[], number]> = [];
  const indexOf = new Map<string, number>();
  base.forEach((phase, i) => {
    const id = isPlainObject(phase) && typeof phase['id'] === 'string' ? phase['id'] : undefined;
    if (id !== undefined) indexOf.set(id, out.length);
    out.push(phase);
    sources.push([base, i]);
  });
  over.forEach((phase, i) => {
    const id = isPlainObject(phase) && typeof phase['id'] === 'string' ? phase['id'] : undefined;
    const at = id === undefined ? undefined : indexOf.get(id);
    if (at === undefined) {
      out.push(phase);
      sources.push([over, i]);
    } else {
      out[at] = phase;
      sources[at] = [over, i];
    }
  });
  sources.forEach(([arr, i], j) => copyKeyLoc(out, j, arr, i));
  return out;
}
