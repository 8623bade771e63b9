import { isMap, isSeq, type Node } from 'yaml';
import { Positions, positionsOf, registerInfo, setOwn, type PlainObject } from './located.js';
import { YamlConverter } from './yaml-convert.js';
import { parseYamlDocument } from './yaml-document.js';
import type { Collection, KeyedPiece, TextPiece } from './yaml-pieces.js';
import { readPlainYaml } from './yaml-plain.js';

/** A collection read from pieces, with the offsets its node would have in a whole read: range[0], range[1] and range[2]. */
interface Read {
  readonly value: unknown;
  readonly start: number;
  readonly end: number;
  readonly nodeEnd: number;
}

/**
 * Reads a file in the pieces of `plan` (yaml-pieces.ts) into the value and
 * positions that a whole read gives. Undefined as soon as any piece has an
 * error or a warning, is not the block collection it should be, or repeats a
 * key of another piece: the caller then reads the file whole, so that every
 * diagnostic, its message and its place, is the whole read's.
 */
export function readPieces(file: string, text: string, plan: Collection): unknown {
  const converter = new YamlConverter(file);
  const read = collection(converter, text, plan, 0);
  return read === undefined || converter.diagnostics.length > 0 ? undefined : read.value;
}

function collection(converter: YamlConverter, text: string, plan: Collection, depth: number): Read | undefined {
  const map = plan.kind === 'map';
  const value: PlainObject | unknown[] = map ? {} : [];
  // Its own position is set when the whole collection is read; only a node without a range would fall back to it, and those make the read fail.
  const positions = new Positions({ file: converter.file, start: 0, end: 0 });
  let start = -1;
  let end = -1;
  let nodeEnd = -1;
  for (const part of plan.parts) {
    const read =
      part.kind === 'text' ? piece(converter, text, part, value, positions, depth) : keyed(converter, text, part, value as PlainObject, positions, depth);
    if (read === 'failed') return undefined;
    if (read === 'empty') continue;
    if (start === -1) start = read.start;
    end = read.end;
    nodeEnd = read.nodeEnd;
    if (converter.diagnostics.length > 0) return undefined;
  }
  if (start === -1) return undefined;
  positions.self = { file: converter.file, start, end };
  registerInfo(value, positions);
  return { value, start, end, nodeEnd };
}

type PartRead = Omit<Read, 'value'> | 'empty' | 'failed';

/** One text piece: its entries join the collection being built. */
function piece(converter: YamlConverter, text: string, part: TextPiece, into: PlainObject | unknown[], positions: Positions, depth: number): PartRead {
  const plain = readPlainYaml(converter.file, text, part.start, part.end, depth);
  if (plain !== undefined) return join(plain.value, into, positions) ? { start: plain.start, end: plain.end, nodeEnd: plain.after } : 'failed';
  const doc = parseYamlDocument(text.slice(part.start, part.end));
  if (doc.errors.length > 0 || doc.warnings.length > 0) return 'failed';
  const root = doc.contents as Node | null;
  if (root === null) return 'empty'; // comments only
  const origin = { doc, base: part.start };
  const range = root.range;
  if (!range) return 'failed';
  if (Array.isArray(into)) {
    if (!isSeq(root) || root.flow) return 'failed';
    for (const item of root.items) {
      if (!(item as Node | null)?.range) return 'failed';
      converter.item(into, positions, item, depth, origin);
    }
  } else {
    if (!isMap(root) || root.flow) return 'failed';
    for (const pair of root.items) converter.pair(into, positions, pair, depth, origin);
  }
  return { start: range[0] + part.start, end: range[1] + part.start, nodeEnd: range[2] + part.start };
}

/** Moves the entries of a piece read by the plain reader into the collection; false if it is the wrong kind or repeats a key. */
function join(read: unknown, into: PlainObject | unknown[], positions: Positions): boolean {
  const from = typeof read === 'object' && read !== null ? positionsOf(read) : undefined;
  if (from === undefined || Array.isArray(read) !== Array.isArray(into)) return false;
  const items = read as PlainObject | unknown[];
  for (const [key, keyLoc, valueLoc] of from.entries()) {
    if (Array.isArray(into)) {
      const i = into.length;
      positions.setRange(i, keyLoc.file, keyLoc.start, keyLoc.end, valueLoc.start, valueLoc.end);
      into.push((items as unknown[])[key as number]);
    } else {
      if (positions.has(key)) return false; // a repeated key: the whole read says where
      positions.setRange(key, keyLoc.file, keyLoc.start, keyLoc.end, valueLoc.start, valueLoc.end);
      setOwn(into, key as string, (items as PlainObject)[key as string]);
    }
  }
  return true;
}

/** A `key:` line and its value, read from pieces of its own. */
function keyed(converter: YamlConverter, text: string, part: KeyedPiece, into: PlainObject, positions: Positions, depth: number): PartRead {
  if (positions.has(part.key)) return 'failed'; // a repeated key: the whole read says where
  const read = collection(converter, text, part.value, depth + 1);
  if (read === undefined) return 'failed';
  positions.set(part.key, { file: converter.file, start: part.keyStart, end: part.keyEnd }, { file: converter.file, start: read.start, end: read.end });
  setOwn(into, part.key, read.value);
  return { start: part.keyStart, end: read.nodeEnd, nodeEnd: read.nodeEnd };
}
