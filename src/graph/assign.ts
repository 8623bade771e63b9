import type { Agent, Team } from '../config/types.js';
import type { Analysis } from './analyze.js';

export interface Assignment {
  /** The agent the task would go to; undefined when no agent has the role. */
  readonly agent?: string;
  /** Set when the task named a role rather than an agent. */
  readonly role?: string;
}

/**
 * Which agent each task would go to if every task took as long as every
 * other: within a wave, a role's tasks are spread over the agents that have
 * it by free slots (concurrency), the team's order breaking ties. The
 * scheduler decides for real at run time; this is what `plan` shows.
 */
export function assignAgents(analysis: Analysis, team: Team | undefined): Map<string, Assignment> {
  const out = new Map<string, Assignment>();
  const agents = team?.agents ?? [];
  const byId = new Map(agents.map((a) => [a.id, a]));
  for (const wave of analysis.waves) {
    const load = new Map<string, number>();
    for (const node of wave) {
      const wanted = node.kind === 'task' ? node.task.agent.id : node.kind === 'fix' ? node.agent : undefined;
      if (wanted === undefined) continue;
      const direct = byId.get(wanted);
      if (direct) {
        out.set(node.id, { agent: direct.id });
        load.set(direct.id, (load.get(direct.id) ?? 0) + 1);
        continue;
      }
      const pool = agents.filter((a) => a.roles.includes(wanted));
      const best = pickLeastLoaded(pool, load);
      if (best) load.set(best.id, (load.get(best.id) ?? 0) + 1);
      out.set(node.id, { role: wanted, ...(best ? { agent: best.id } : {}) });
    }
  }
  return out;
}

function pickLeastLoaded(pool: readonly Agent[], load: ReadonlyMap<string, number>): Agent | undefined {
  let best: Agent | undefined;
  let bestRatio = Infinity;
  for (const a of pool) {
    const ratio = (load.get(a.id) ?? 0) / a.concurrency;
    if (ratio < bestRatio) {
      best = a;
      bestRatio = ratio;
    }
  }
  return best;
}
