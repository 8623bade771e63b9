import type { Diagnostic } from '../config/diagnostic.js';
import { error } from '../config/diagnostic.js';
import { didYouMean } from '../config/suggest.js';
import { nodeId } from './compile.js';
import type { Graph } from './types.js';

/**
 * The sub-graph that `run PHASE…` or `check GATE…` needs: the named nodes and
 * everything they depend on. Unknown names are diagnostics (the flag has no
 * file position).
 */
export function selectSubgraph(graph: Graph, names: readonly string[], kind: 'phase' | 'gate'): { graph?: Graph; diagnostics: Diagnostic[] } {
  if (names.length === 0) return { graph, diagnostics: [] };
  const ids = new Set(graph.nodes.map((n) => n.id));
  const known = kind === 'phase' ? graph.phases.map((p) => p.id) : graph.nodes.filter((n) => n.kind === 'gate' && n.phase === null).map((n) => n.name);
  const diagnostics: Diagnostic[] = [];
  const targets: string[] = [];
  for (const name of names) {
    const id = kind === 'phase' ? nodeId.checkpoint(name) : nodeId.gate(name);
    if (ids.has(id)) targets.push(id);
    else
      diagnostics.push(
        error(
          `unknown ${kind} '${name}'`,
          undefined,
          didYouMean(name, known) ?? (known.length ? `${kind}s: ${known.join(', ')}` : `the config has no ${kind}s`),
        ),
      );
  }
  if (diagnostics.length > 0) return { diagnostics };

  const into = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = into.get(e.to);
    if (list) list.push(e.from);
    else into.set(e.to, [e.from]);
  }
  const keep = new Set<string>();
  const stack = [...targets];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (keep.has(id)) continue;
    keep.add(id);
    for (const from of into.get(id) ?? []) stack.push(from);
  }
  const phases = new Set(graph.nodes.filter((n) => keep.has(n.id) && n.phase !== null).map((n) => n.phase));
  return {
    graph: {
      nodes: graph.nodes.filter((n) => keep.has(n.id)),
      edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
      scopeDecisions: graph.scopeDecisions.filter((d) => keep.has(d.earlier) && keep.has(d.later)),
      phases: graph.phases.filter((p) => phases.has(p.id)),
    },
    diagnostics: [],
  };
}

/**
 * `run PHASE… --no-needs`: the named phases alone, their needed phases taken
 * as done (their work is already in HEAD, as in a CI job that starts from the
 * branch an earlier job pushed).
 */
export function onlyPhases(graph: Graph, phases: readonly string[]): Graph {
  const keep = new Set(graph.nodes.filter((n) => n.phase !== null && phases.includes(n.phase)).map((n) => n.id));
  return {
    nodes: graph.nodes.filter((n) => keep.has(n.id)),
    edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
    scopeDecisions: graph.scopeDecisions.filter((d) => keep.has(d.earlier) && keep.has(d.later)),
    phases: graph.phases.filter((p) => phases.includes(p.id)),
  };
}
