import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Diagnostic, Loc } from './diagnostic.js';
import { error } from './diagnostic.js';

/**
 * Plain JS values (objects, arrays, scalars) that remember where they were
 * written. The positions live in a side table keyed by the object, so the
 * values themselves stay plain data that ajv and the merge can handle, while
 * any later stage can still ask "where was `gates.unit.needs[1]` written?".
 */
interface NodeInfo {
  readonly self: Loc;
  readonly keys: Map<string | number, Loc>;
  readonly values: Map<string | number, Loc>;
}

const infos = new WeakMap<object, NodeInfo>();

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property even for keys such as `__proto__`. */
export function setOwn(target: PlainObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function rangeLoc(file: string, node: Node | null | undefined, fallback: Loc): Loc {
  const range = node?.range;
  return range ? { file, start: range[0], end: range[1] } : fallback;
}

/**
 * Converts a parsed YAML document to plain values, recording the position of
 * every key and value. Aliases are expanded (and keep the alias's position).
 */
export function fromYamlDocument(doc: Document, file: string): { value: unknown; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const whole: Loc = { file, start: 0, end: 0 };

  const convert = (node: unknown, at: Loc, depth: number): unknown => {
    if (depth > 100) {
      diagnostics.push(error('the document nests deeper than 100 levels (a recursive alias?)', at));
      return null;
    }
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) diagnostics.push(error(`unknown alias '*${node.source}': no anchor '&${node.source}' comes before it`, at));
      return target ? convert(target, at, depth + 1) : null;
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
        const valueNode = pair.value as Node | null;
        const valueLoc = valueNode ? rangeLoc(file, valueNode, keyLoc) : { file, start: keyLoc.end, end: keyLoc.end };
        info.keys.set(key, keyLoc);
        info.values.set(key, valueLoc);
        setOwn(obj, key, valueNode === null ? null : convert(valueNode, valueLoc, depth + 1));
      }
      infos.set(obj, info);
      return obj;
    }
    if (isSeq(node)) {
      const arr: unknown[] = [];
      const info: NodeInfo = { self: rangeLoc(file, node, at), keys: new Map(), values: new Map() };
      node.items.forEach((item, i) => {
        const itemLoc = rangeLoc(file, item as Node, info.self);
        info.keys.set(i, itemLoc);
        info.values.set(i, itemLoc);
        arr.push(convert(item, itemLoc, depth + 1));
      });
      infos.set(arr, info);
      return arr;
    }
    return node ?? null;
  };

  const root = doc.contents as Node | null;
  const value = root === null ? null : convert(root, rangeLoc(file, root, whole), 0);
  return { value, diagnostics };
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
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
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
