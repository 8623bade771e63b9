import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { Diagnostic, Loc } from './diagnostic.js';
import { error } from './diagnostic.js';
import { Positions, registerInfo, setOwn, type PlainObject } from './located.js';

/**
 * The most alias expansions a file may make, nested ones included, and the
 * most values those expansions may produce (both documented in README): a
 * config repeats a list or a map by alias a few times, a bomb millions.
 */
export const MAX_ALIAS_EXPANSIONS = 1000;
export const MAX_ALIASED_VALUES = 100_000;

export const duplicateKeyMessage = (key: string): string => `duplicate key '${key}': each key may appear once in a mapping`;

/** Where in the file a document's nodes are: a document read from a piece of the file counts its offsets from `base`. */
export interface Origin {
  readonly doc: Document;
  readonly base: number;
}

/**
 * Converts yaml's document nodes to plain values, recording the position of
 * every key and value (see located.ts). Aliases are expanded (and keep the
 * alias's position). One converter reads one file, whole or in pieces
 * (yaml-pieces.ts): its alias counts are the file's.
 */
export class YamlConverter {
  readonly diagnostics: Diagnostic[] = [];
  // Every expansion counts, nested ones too: 432 bytes of aliases of aliases expand to gigabytes.
  #aliases = 0;
  #aliased = 0;
  #lastAlias: Loc;

  constructor(readonly file: string) {
    this.#lastAlias = { file, start: 0, end: 0 };
  }

  loc(node: Node | null | undefined, fallback: Loc, base: number): Loc {
    const range = node?.range;
    return range ? { file: this.file, start: range[0] + base, end: range[1] + base } : fallback;
  }

  #tooMany(what: string): null {
    if (!this.diagnostics.some((d) => d.message.startsWith('too many aliases')))
      this.diagnostics.push(error(`too many aliases: ${what}; a config repeats a value a few times, not this often (an alias bomb?)`, this.#lastAlias));
    return null;
  }

  value(node: unknown, at: Loc, depth: number, origin: Origin, viaAlias = false): unknown {
    if (viaAlias && ++this.#aliased > MAX_ALIASED_VALUES) return this.#tooMany(`the aliases expand to more than ${MAX_ALIASED_VALUES} values`);
    if (depth > 100) {
      this.diagnostics.push(error('the document nests deeper than 100 levels (a recursive alias?)', at));
      return null;
    }
    if (isAlias(node)) {
      this.#lastAlias = at;
      if (++this.#aliases > MAX_ALIAS_EXPANSIONS) return this.#tooMany(`more than ${MAX_ALIAS_EXPANSIONS} alias expansions, counting aliases inside aliases`);
      const target = node.resolve(origin.doc);
      if (!target) this.diagnostics.push(error(`unknown alias '*${node.source}': no anchor '&${node.source}' comes before it`, at));
      return target ? this.value(target, at, depth + 1, origin, true) : null;
    }
    if (isScalar(node)) return node.value;
    if (isMap(node)) {
      const obj: PlainObject = {};
      const positions = new Positions(this.loc(node, at, origin.base), node.items.length);
      for (const pair of node.items) this.pair(obj, positions, pair, depth, origin, viaAlias);
      registerInfo(obj, positions);
      return obj;
    }
    if (isSeq(node)) {
      // At its final length: an array grown by push holds up to twice its length (a gate's one-item lists, 100,000 times).
      const arr: unknown[] = new Array(node.items.length);
      const positions = new Positions(this.loc(node, at, origin.base), node.items.length);
      node.items.forEach((item, i) => this.item(arr, positions, item, depth, origin, viaAlias, i));
      registerInfo(arr, positions);
      return arr;
    }
    return node ?? null;
  }

  /** Adds one pair of a map at `depth` to `obj`; a key that is not a plain string or comes twice is a diagnostic. */
  pair(obj: PlainObject, positions: Positions, pair: unknown, depth: number, origin: Origin, viaAlias = false): void {
    if (!isPair(pair)) return;
    const { key: keyNode, value: valueNode } = pair as Pair<Node | null, Node | null>;
    const keyLoc = this.loc(keyNode, positions.self, origin.base);
    if (!isScalar(keyNode) || typeof keyNode.value === 'object') {
      this.diagnostics.push(error('keys must be plain strings', keyLoc));
      return;
    }
    const key = String(keyNode.value);
    // Checked here, by a Map, not by the yaml package's uniqueKeys, which compares each key with every key before it.
    if (positions.has(key)) {
      this.diagnostics.push(error(duplicateKeyMessage(key), keyLoc));
      return;
    }
    const valueLoc = valueNode ? this.loc(valueNode, keyLoc, origin.base) : { file: this.file, start: keyLoc.end, end: keyLoc.end };
    positions.set(key, keyLoc, valueLoc);
    setOwn(obj, key, valueNode === null ? null : this.value(valueNode, valueLoc, depth + 1, origin, viaAlias));
  }

  /** Sets item `i` (by default the next) of a sequence at `depth` in `arr`. */
  item(arr: unknown[], positions: Positions, item: unknown, depth: number, origin: Origin, viaAlias = false, i = arr.length): void {
    const itemLoc = this.loc(item as Node, positions.self, origin.base);
    positions.set(i, itemLoc, itemLoc);
    arr[i] = this.value(item, itemLoc, depth + 1, origin, viaAlias);
  }

  /** The value of a whole document. */
  document(doc: Document, base = 0): unknown {
    const root = doc.contents as Node | null;
    return root === null ? null : this.value(root, this.loc(root, { file: this.file, start: 0, end: 0 }, base), 0, { doc, base });
  }
}
