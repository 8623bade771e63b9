import type { Diagnostic } from '../config/diagnostic.js';
import { error, warning, withRelated } from '../config/diagnostic.js';
import type { Config, Gate, Phase, Ref } from '../config/types.js';
import { BitSet } from './bitset.js';
import { findCycles, type NeedEdge } from './cycles.js';
import { findScopeConflicts, type ScopedTask } from './scopes.js';
import type { Edge, Graph, GraphNode, ScopeDecision } from './types.js';
import { pushAll } from '../util/push-all.js';

export interface CompileOptions {
  /** Overlapping scopes are an error instead of an ordering. */
  readonly strictScopes?: boolean;
}

export const nodeId = {
  gate: (name: string, phase?: string) => (phase === undefined ? `gate:${name}` : `gate:${phase}/${name}`),
  task: (phase: string, task: string) => `task:${phase}/${task}`,
  fix: (phase: string) => `fix:${phase}`,
  checkpoint: (phase: string) => `checkpoint:${phase}`,
};

/** What a phase waits for: its `needs`, or by default the phase written before it. */
export function phaseNeeds(phases: readonly Phase[]): Map<string, NeedEdge[]> {
  const needs = new Map<string, NeedEdge[]>();
  phases.forEach((phase, i) => {
    const previous = phases[i - 1];
    if (phase.needs)
      needs.set(
        phase.id,
        phase.needs.map((r) => ({ from: phase.id, to: r.id, loc: r.loc })),
      );
    else if (previous)
      needs.set(phase.id, [
        { from: phase.id, to: previous.id, loc: phase.loc, note: `'${phase.id}' has no 'needs', so it runs after '${previous.id}', the phase before it` },
      ]);
    else needs.set(phase.id, []);
  });
  return needs;
}

/**
 * Config in, Graph out; pure. Diagnostics for cycles (gates or phases) and,
 * with strictScopes, for tasks whose scopes could collide.
 */
export function compile(config: Config, options: CompileOptions = {}): { graph?: Graph; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const gates = new Map([...config.gates].filter(([, g]) => g.enabled));
  const gateNeeds = (g: Gate): Ref[] => g.needs.filter((r) => gates.has(r.id));

  const gateEdges: NeedEdge[] = [];
  for (const g of gates.values()) for (const r of gateNeeds(g)) gateEdges.push({ from: g.name, to: r.id, loc: r.loc });
  pushAll(diagnostics, findCycles([...gates.keys()], gateEdges, 'gate'));

  const phases = config.phases;
  const byId = new Map(phases.map((p) => [p.id, p]));
  const needs = phaseNeeds(phases);
  const phaseEdges = [...needs.values()].flat().filter((e) => byId.has(e.to));
  diagnostics.push(
    ...findCycles(
      phases.map((p) => p.id),
      phaseEdges,
      'phase',
    ),
  );
  if (diagnostics.length > 0) return { diagnostics };

  const nodes: GraphNode[] = [];
  const edges: Edge[] = [];
  const edge = (from: string, to: string): void => {
    edges.push({ from, to });
  };

  // Top-level gates: what `check` and hooks run.
  for (const g of gates.values()) {
    nodes.push({ kind: 'gate', id: nodeId.gate(g.name), name: g.name, phase: null, loc: g.loc, gate: g });
    for (const r of gateNeeds(g)) edge(nodeId.gate(r.id), nodeId.gate(g.name));
  }

  // Phases, each closed by its checkpoint.
  const order = topoOrder(phases, needs);
  for (const phase of phases) {
    const entry = (needs.get(phase.id) ?? []).filter((e) => byId.has(e.to)).map((e) => nodeId.checkpoint(e.to));
    const taskIds = phase.tasks.map((t) => nodeId.task(phase.id, t.id));
    for (const t of phase.tasks) {
      const id = nodeId.task(phase.id, t.id);
      nodes.push({ kind: 'task', id, name: t.id, phase: phase.id, loc: t.loc, task: t });
      for (const from of entry) edge(from, id);
    }

    // The phase's gates and every gate they need, each a run of its own in this phase's tree.
    // In dependency order, so a gate's node comes after the nodes of the gates it needs.
    const set = new Set<string>();
    const visited = new Set<string>();
    const addGate = (name: string): void => {
      const g = gates.get(name);
      if (!g || visited.has(name)) return;
      visited.add(name);
      for (const r of gateNeeds(g)) addGate(r.id);
      set.add(name);
    };
    for (const r of phase.gates) addGate(r.id);
    const needed = new Set<string>();
    for (const name of set) {
      const g = gates.get(name) as Gate;
      const id = nodeId.gate(name, phase.id);
      nodes.push({ kind: 'gate', id, name, phase: phase.id, loc: phase.gates.find((r) => r.id === name)?.loc ?? phase.loc, gate: g });
      const inner = gateNeeds(g);
      for (const r of inner) {
        edge(nodeId.gate(r.id, phase.id), id);
        needed.add(r.id);
      }
      if (inner.length === 0) for (const from of taskIds.length > 0 ? taskIds : entry) edge(from, id);
    }
    const sinks = [...set].filter((n) => !needed.has(n)).map((n) => nodeId.gate(n, phase.id));

    let closing = sinks.length > 0 ? sinks : taskIds.length > 0 ? taskIds : entry;
    if ((phase.fix && sinks.length > 0) || phase.review) {
      const id = nodeId.fix(phase.id);
      const loc = phase.fix?.agent.loc ?? (phase.review as NonNullable<Phase['review']>).agent.loc;
      nodes.push({
        kind: 'fix',
        id,
        name: phase.id,
        phase: phase.id,
        loc,
        agent: phase.fix?.agent.id ?? 'fix-executor',
        attempts: phase.fix?.attempts ?? 2,
        gates: [...set],
        ...(phase.review ? { review: phase.review.agent.id } : {}),
      });
      for (const from of closing) edge(from, id);
      closing = [id];
    } else if (phase.fix) {
      diagnostics.push(warning(`phase '${phase.id}' has 'fix' but no gates: there is nothing for the fix agent to fix`, phase.fix.agent.loc));
    }
    const checkpoint = nodeId.checkpoint(phase.id);
    nodes.push({ kind: 'checkpoint', id: checkpoint, name: phase.id, phase: phase.id, loc: phase.loc });
    for (const from of closing) edge(from, checkpoint);
  }

  // Tasks that could run at the same time must not touch the same files.
  const rank = new Map(order.map((p, i) => [p.id, i]));
  const ancestors = ancestorSets(order, needs, rank);
  const scoped: ScopedTask[] = order.flatMap((p) => p.tasks.map((task) => ({ task, phase: rank.get(p.id) as number })));
  const scopeDecisions: ScopeDecision[] = [];
  for (const c of findScopeConflicts(scoped, ancestors)) {
    const earlier = (scoped[c.earlier] as ScopedTask).task;
    const later = (scoped[c.later] as ScopedTask).task;
    const [pa, pb] = c.patterns;
    if (options.strictScopes) {
      diagnostics.push(
        withRelated(error(`tasks '${earlier.id}' and '${later.id}' could run at the same time and touch the same files (${pa} overlaps ${pb})`, later.loc), {
          loc: earlier.loc,
          message: `'${earlier.id}' is defined here`,
        }),
      );
      continue;
    }
    edge(nodeId.task(earlier.phase, earlier.id), nodeId.task(later.phase, later.id));
    scopeDecisions.push({ earlier: nodeId.task(earlier.phase, earlier.id), later: nodeId.task(later.phase, later.id), patterns: [pa, pb], loc: later.loc });
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { graph: { nodes, edges, scopeDecisions, phases }, diagnostics };
}

/** Phases in an order where each comes after all it needs, stable with respect to the written order. */
function topoOrder(phases: readonly Phase[], needs: ReadonlyMap<string, readonly NeedEdge[]>): Phase[] {
  const byId = new Map(phases.map((p) => [p.id, p]));
  const done = new Set<string>();
  const out: Phase[] = [];
  const visit = (p: Phase): void => {
    if (done.has(p.id)) return;
    done.add(p.id); // acyclic: checked before
    for (const e of needs.get(p.id) ?? []) {
      const dep = byId.get(e.to);
      if (dep) visit(dep);
    }
    out.push(p);
  };
  for (const p of phases) visit(p);
  return out;
}

function ancestorSets(order: readonly Phase[], needs: ReadonlyMap<string, readonly NeedEdge[]>, rank: ReadonlyMap<string, number>): BitSet[] {
  const sets: BitSet[] = [];
  order.forEach((p, i) => {
    const set = new BitSet(order.length);
    for (const e of needs.get(p.id) ?? []) {
      const r = rank.get(e.to);
      if (r === undefined) continue;
      set.add(r);
      set.addAll(sets[r] as BitSet);
    }
    sets[i] = set;
  });
  return sets;
}
