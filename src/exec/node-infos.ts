import type { NodeInfo } from '../events/events.js';
import type { Graph } from '../graph/types.js';

/** Each node's direct needs, from the edges. Pure. */
export function needsOf(graph: Graph): Map<string, string[]> {
  const needs = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) needs.get(e.to)?.push(e.from);
  return needs;
}

/** The graph's nodes as a run's record announces them, each with what it needs. Pure. */
export function nodeInfos(graph: Graph, keep: (id: string) => boolean = () => true): NodeInfo[] {
  const needs = needsOf(graph);
  return graph.nodes
    .filter((n) => keep(n.id))
    .map((n) => ({ id: n.id, kind: n.kind, name: n.name, phase: n.phase, needs: (needs.get(n.id) ?? []).filter(keep) }));
}
