import type { NodeInfo, OrchestraEvent } from '../events/events.js';
import { activityOf } from './agent-activity.js';

/** Each node's state now, from the record. */
export function nodeStates(
  events: readonly OrchestraEvent[],
  now = Date.now(),
): Array<{ node: NodeInfo; state: string; agent?: string; attempts: number; elapsedMs: number; costUsd: number; why?: string; activity?: string }> {
  const start = events.find((e) => e.type === 'run-started');
  if (!start || start.type !== 'run-started') return [];
  const rows = new Map(
    start.nodes.map((n) => [
      n.id,
      { node: n, state: 'waiting', attempts: 0, elapsedMs: 0, costUsd: 0, startedAt: 0 } as {
        node: NodeInfo;
        state: string;
        agent?: string;
        attempts: number;
        elapsedMs: number;
        costUsd: number;
        startedAt: number;
        /** Why it failed or was skipped, as the record says. */
        why?: string;
        /** What its agent did last. */
        activity?: string;
      },
    ]),
  );
  for (const e of events) {
    if (!('nodeId' in e)) continue;
    const row = rows.get(e.nodeId) ?? rows.get(e.nodeId.split('#')[0] as string);
    if (!row) continue;
    if (e.type === 'node-started' && e.nodeId === row.node.id) {
      Object.assign(row, { state: 'running', attempts: e.attempt, startedAt: e.ts });
      delete row.why;
    } else if (e.type === 'node-finished' && e.nodeId === row.node.id) {
      Object.assign(row, { state: e.status, elapsedMs: e.durationMs });
      if (e.status === 'failed') row.why = e.message ?? e.reason ?? 'failed';
    } else if (e.type === 'node-skipped') Object.assign(row, { state: 'skipped', why: e.reason });
    else if (e.type === 'agent-event') Object.assign(row, { agent: e.agent, activity: activityOf(e.event) });
    else if (e.type === 'agent-finished') {
      row.agent = e.agent;
      row.costUsd += e.usage.costUsd ?? 0;
    }
  }
  return [...rows.values()].map((r) => ({ ...r, elapsedMs: r.state === 'running' ? now - r.startedAt : r.elapsedMs }));
}
