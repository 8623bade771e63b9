import type { Diagnostic, Loc, Related } from '../config/diagnostic.js';
import { error, withRelated } from '../config/diagnostic.js';

/** One "needs" edge as written: `from` needs `to`, at `loc`. */
export interface NeedEdge {
  readonly from: string;
  readonly to: string;
  readonly loc: Loc;
  /** How to say this edge in a note, e.g. "'api' runs after 'models' (the phase before it)". */
  readonly note?: string;
}

/**
 * Finds cycles in a "needs" relation, deterministically (nodes and edges in
 * the order given), each reported once as `a -> b -> c -> a` with a note at
 * every edge's position. Its own pass, so the compile can rely on a DAG.
 */
export function findCycles(nodes: readonly string[], edges: readonly NeedEdge[], what: string): Diagnostic[] {
  const out = new Map<string, NeedEdge[]>();
  for (const e of edges) {
    const list = out.get(e.from);
    if (list) list.push(e);
    else out.set(e.from, [e]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: NeedEdge[] = [];
  const found = new Map<string, NeedEdge[]>();

  const visit = (node: string): void => {
    state.set(node, 'visiting');
    for (const edge of out.get(node) ?? []) {
      const s = state.get(edge.to);
      if (s === 'visiting') {
        const start = stack.findIndex((e) => e.from === edge.to);
        const cycle = [...(start === -1 ? [] : stack.slice(start)), edge];
        const key = canonical(cycle.map((e) => e.from));
        if (!found.has(key)) found.set(key, cycle);
      } else if (s === undefined) {
        stack.push(edge);
        visit(edge.to);
        stack.pop();
      }
    }
    state.set(node, 'done');
  };
  for (const node of nodes) if (!state.has(node)) visit(node);

  return [...found.values()].map((cycle) => {
    const names = [...cycle.map((e) => e.from), (cycle[0] as NeedEdge).from];
    const related: Related[] = cycle.map((e) => ({ loc: e.loc, message: e.note ?? `'${e.from}' needs '${e.to}'` }));
    return withRelated(error(`${what} cycle: ${names.join(' -> ')}`, (cycle[0] as NeedEdge).loc), ...related);
  });
}

/** The same cycle entered at another node is the same cycle. */
function canonical(names: readonly string[]): string {
  let best = '';
  for (let i = 0; i < names.length; i++) {
    const rotated = [...names.slice(i), ...names.slice(0, i)].join('\u0000');
    if (best === '' || rotated < best) best = rotated;
  }
  return best;
}
