import type { Graph, GraphNode } from './types.js';

export interface Analysis {
  /** Nodes grouped by the earliest step they can start at: everything in a wave can run together. */
  readonly waves: readonly (readonly GraphNode[])[];
  /** The longest chain of nodes that must run one after another. */
  readonly criticalPath: readonly GraphNode[];
}

/** Waves by longest path from the roots, and the critical path; pure, linear in nodes + edges. */
export function analyze(graph: Graph): Analysis {
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const n = graph.nodes.length;
  const indegree = new Int32Array(n);
  const next: number[][] = graph.nodes.map(() => []);
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined) throw new Error(`edge to an unknown node: ${e.from} -> ${e.to}`);
    (next[from] as number[]).push(to);
    indegree[to] = (indegree[to] as number) + 1;
  }
  const level = new Int32Array(n);
  const via = new Int32Array(n).fill(-1);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head] as number;
    for (const j of next[i] as number[]) {
      if ((level[i] as number) + 1 > (level[j] as number)) {
        level[j] = (level[i] as number) + 1;
        via[j] = i;
      }
      indegree[j] = (indegree[j] as number) - 1;
      if (indegree[j] === 0) queue.push(j);
    }
  }
  if (queue.length !== n) throw new Error('the compiled graph has a cycle; compile() should have reported it');

  const waves: GraphNode[][] = [];
  let deepest = -1;
  graph.nodes.forEach((node, i) => {
    const l = level[i] as number;
    (waves[l] ??= []).push(node);
    if (deepest === -1 || l > (level[deepest] as number)) deepest = i;
  });
  const criticalPath: GraphNode[] = [];
  for (let i = deepest; i !== -1; i = via[i] as number) criticalPath.unshift(graph.nodes[i] as GraphNode);
  return { waves, criticalPath };
}
