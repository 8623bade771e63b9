import type { Task } from '../config/types.js';
import { BitSet } from './bitset.js';
import { globsOverlap, literalPrefix } from './glob-overlap.js';

export const ANY_FILE = '(any file)';

export interface ScopedTask {
  readonly task: Task;
  /** Index of the task's phase in the phases' topological order. */
  readonly phase: number;
}

export interface Conflict {
  /** Indices into the task list; earlier < later. */
  readonly earlier: number;
  readonly later: number;
  readonly patterns: readonly [string, string];
}

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  /** (task index, pattern) pairs whose literal prefix ends here. */
  readonly entries: Array<[number, string]>;
}

const newNode = (): TrieNode => ({ children: new Map(), entries: [] });

/**
 * Which tasks that could run at the same time may touch the same file, and
 * the least set of orderings that keeps them apart: for each task, the
 * earlier tasks it overlaps, minus those already ordered before it through
 * another chosen ordering. Tasks are in topological order, so every
 * ordering points forward and the graph stays acyclic.
 *
 * Not quadratic in the common case: patterns are bucketed by their literal
 * directory prefix, and only patterns on one root-to-leaf path of that trie
 * are ever compared.
 */
export function findScopeConflicts(tasks: readonly ScopedTask[], phaseAncestors: readonly BitSet[]): Conflict[] {
  const root = newNode();
  tasks.forEach((t, i) => {
    const patterns = t.task.scope.touch.length > 0 ? t.task.scope.touch : [ANY_FILE];
    for (const pattern of patterns) {
      let node = root;
      for (const seg of pattern === ANY_FILE ? [] : literalPrefix(pattern)) {
        let child = node.children.get(seg);
        if (!child) node.children.set(seg, (child = newNode()));
        node = child;
      }
      node.entries.push([i, pattern]);
    }
  });

  // For every later task: the earlier tasks whose patterns could overlap, and which pair shows it.
  const candidates: Array<Map<number, [string, string]>> = tasks.map(() => new Map());
  // Patterns as small integers, so the pair cache needs no string keys (2,000 tasks make millions of pairs).
  const patternIds = new Map<string, number>();
  const idOf = (p: string): number => {
    let id = patternIds.get(p);
    if (id === undefined) patternIds.set(p, (id = patternIds.size));
    return id;
  };
  const overlapCache = new Map<number, boolean>();
  const overlaps = (a: string, b: string): boolean => {
    if (a === ANY_FILE || b === ANY_FILE || a === b) return true;
    const x = idOf(a);
    const y = idOf(b);
    const key = x < y ? x * 0x200000 + y : y * 0x200000 + x;
    let v = overlapCache.get(key);
    if (v === undefined) overlapCache.set(key, (v = globsOverlap(a, b)));
    return v;
  };
  const unordered = (i: number, j: number): boolean => {
    const pi = (tasks[i] as ScopedTask).phase;
    const pj = (tasks[j] as ScopedTask).phase;
    return pi === pj || (!(phaseAncestors[pj] as BitSet).has(pi) && !(phaseAncestors[pi] as BitSet).has(pj));
  };
  const consider = (a: [number, string], b: [number, string]): void => {
    const [earlier, later] = a[0] < b[0] ? [a, b] : [b, a];
    if (earlier[0] === later[0]) return;
    const seen = candidates[later[0]] as Map<number, [string, string]>;
    if (seen.has(earlier[0]) || !unordered(earlier[0], later[0]) || !overlaps(earlier[1], later[1])) return;
    seen.set(earlier[0], [earlier[1], later[1]]);
  };
  const walk = (node: TrieNode, above: Array<[number, string]>): void => {
    for (let x = 0; x < node.entries.length; x++) {
      const entry = node.entries[x] as [number, string];
      for (const other of above) consider(other, entry);
      for (let y = 0; y < x; y++) consider(node.entries[y] as [number, string], entry);
    }
    if (node.children.size === 0) return;
    const next = above.concat(node.entries);
    for (const child of node.children.values()) walk(child, next);
  };
  walk(root, []);

  const conflicts: Conflict[] = [];
  const orderedBefore: Array<BitSet | undefined> = [];
  candidates.forEach((earlierMap, later) => {
    if (earlierMap.size === 0) return;
    const covered = new BitSet(tasks.length);
    for (const earlier of [...earlierMap.keys()].sort((a, b) => b - a)) {
      if (covered.has(earlier)) continue;
      conflicts.push({ earlier, later, patterns: earlierMap.get(earlier) as [string, string] });
      covered.add(earlier);
      const before = orderedBefore[earlier];
      if (before) covered.addAll(before);
    }
    orderedBefore[later] = covered;
  });
  return conflicts.sort((a, b) => a.later - b.later || a.earlier - b.earlier);
}
