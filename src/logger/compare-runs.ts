import type { OrchestraEvent } from '../events/events.js';
import { nodeStates } from './node-states.js';
import { nodeLabel } from './plain-renderer.js';

/** One node in two runs: its state, time and cost in each (undefined where that run did not have it). */
export interface NodeComparison {
  readonly id: string;
  readonly label: string;
  readonly a?: { readonly state: string; readonly ms: number; readonly costUsd: number };
  readonly b?: { readonly state: string; readonly ms: number; readonly costUsd: number };
  /** The state differs, or one run had the node and the other did not. */
  readonly changed: boolean;
}

export interface RunComparison {
  readonly nodes: readonly NodeComparison[];
  readonly totals: { readonly a: { ms: number; costUsd: number }; readonly b: { ms: number; costUsd: number } };
}

/** Two runs of the repo side by side, node by node, in the order the later run lists them. Pure. */
export function compareRuns(a: readonly OrchestraEvent[], b: readonly OrchestraEvent[], now = Date.now()): RunComparison {
  const rowsA = new Map(nodeStates(a, now).map((r) => [r.node.id, r]));
  const rowsB = new Map(nodeStates(b, now).map((r) => [r.node.id, r]));
  const ids = [...new Set([...rowsB.keys(), ...rowsA.keys()])];
  const side = (r: ReturnType<typeof nodeStates>[number] | undefined) => (r ? { state: r.state, ms: r.elapsedMs, costUsd: r.costUsd } : undefined);
  const nodes = ids.map((id) => {
    const ra = rowsA.get(id);
    const rb = rowsB.get(id);
    const node = (rb ?? ra)?.node;
    const sa = side(ra);
    const sb = side(rb);
    return { id, label: node ? nodeLabel(node) : id, ...(sa ? { a: sa } : {}), ...(sb ? { b: sb } : {}), changed: sa?.state !== sb?.state };
  });
  return { nodes, totals: { a: totals(a, now), b: totals(b, now) } };
}

function totals(events: readonly OrchestraEvent[], now: number): { ms: number; costUsd: number } {
  const start = events.find((e) => e.type === 'run-started');
  const end = [...events].reverse().find((e) => e.type === 'run-finished');
  const costUsd = events.reduce((n, e) => n + (e.type === 'agent-finished' ? (e.usage.costUsd ?? 0) : 0), 0);
  return { ms: end?.type === 'run-finished' ? end.durationMs : start ? now - start.ts : 0, costUsd };
}
