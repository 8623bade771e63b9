import type { Config } from '../config/types.js';
import { analyze } from './analyze.js';
import { phaseNeeds } from './compile.js';
import { assignAgents } from './assign.js';
import type { Graph } from './types.js';
import { ANY_FILE } from './scopes.js';

/** What `plan` shows, as plain data; the text, JSON and markdown views are all made from it. */
export interface PlanModel {
  readonly summary: { gates: number; phases: number; tasks: number; agents: number; nodes: number; edges: number };
  readonly waves: readonly (readonly string[])[];
  readonly criticalPath: readonly string[];
  readonly phases: readonly PlanPhase[];
  readonly scopeDecisions: readonly { earlier: string; later: string; patterns: readonly [string, string] }[];
}

export interface PlanPhase {
  readonly id: string;
  readonly description?: string;
  readonly origin: 'config' | 'spec';
  readonly after: readonly string[];
  readonly tasks: readonly PlanTask[];
  readonly gates: readonly string[];
  readonly fix: { agent: string; assignedTo: string | null; attempts: number } | null;
}

export interface PlanTask {
  readonly id: string;
  /** The agent the task would go to, or null when no agent can take it. */
  readonly agent: string | null;
  /** The role the task asked for, when it named a role. */
  readonly role: string | null;
  readonly touch: readonly string[];
  /** Paths it may change beside other tasks (scope.shared): they meet in the merge queue. */
  readonly shared: readonly string[];
  readonly forbid: readonly string[];
  readonly waitsFor: readonly string[];
}

export function buildPlan(config: Config, graph: Graph): PlanModel {
  const analysis = analyze(graph);
  const assignment = assignAgents(analysis, config.team);
  const needs = phaseNeeds(config.phases);
  const scopeWaits = new Map<string, string[]>();
  for (const d of graph.scopeDecisions) {
    const list = scopeWaits.get(d.later);
    if (list) list.push(d.earlier);
    else scopeWaits.set(d.later, [d.earlier]);
  }
  const phases: PlanPhase[] = graph.phases.map((p) => {
    const fixNode = graph.nodes.find((n) => n.kind === 'fix' && n.phase === p.id);
    return {
      id: p.id,
      ...(p.description !== undefined ? { description: p.description } : {}),
      origin: p.origin,
      after: (needs.get(p.id) ?? []).map((e) => e.to),
      tasks: p.tasks.map((t) => {
        const a = assignment.get(`task:${p.id}/${t.id}`);
        return {
          id: t.id,
          agent: a?.agent ?? null,
          role: a?.role ?? null,
          touch: t.scope.touch.length ? t.scope.touch : [ANY_FILE],
          shared: t.scope.shared ?? [],
          forbid: t.scope.forbid,
          waitsFor: (scopeWaits.get(`task:${p.id}/${t.id}`) ?? []).map((id) => id.slice('task:'.length)),
        };
      }),
      gates: graph.nodes.filter((n) => n.kind === 'gate' && n.phase === p.id).map((n) => n.name),
      fix:
        fixNode && fixNode.kind === 'fix' ? { agent: fixNode.agent, assignedTo: assignment.get(fixNode.id)?.agent ?? null, attempts: fixNode.attempts } : null,
    };
  });
  return {
    summary: {
      gates: config.gates.size,
      phases: graph.phases.length,
      tasks: graph.phases.reduce((n, p) => n + p.tasks.length, 0),
      agents: config.team?.agents.length ?? 0,
      nodes: graph.nodes.length,
      edges: graph.edges.length,
    },
    waves: analysis.waves.map((w) => w.map((n) => n.id)),
    criticalPath: analysis.criticalPath.map((n) => n.id),
    phases,
    scopeDecisions: graph.scopeDecisions.map((d) => ({ earlier: d.earlier, later: d.later, patterns: d.patterns })),
  };
}
