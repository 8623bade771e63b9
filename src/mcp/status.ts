import { formatDuration } from '../config/duration.js';
import type { OrchestraEvent } from '../events/events.js';
import { nodeStates } from '../logger/node-states.js';
import { runInfo, type RunOutcome } from '../report/run-record.js';
import { unreachable } from '../util/unreachable.js';

/** What an outcome means, for a model that has not read orchestra's docs. */
function outcomeText(outcome: RunOutcome): string {
  switch (outcome) {
    case 'running':
      return 'running now';
    case 'unfinished':
      return 'unfinished (it stopped without finishing; `orchestra resume` continues it)';
    case 'interrupted':
      return 'interrupted';
    case 'held':
      return 'finished: every gate held';
    case 'failed':
      return 'finished: something failed';
    default:
      return unreachable(outcome);
  }
}

/**
 * A run's state as `run_status` answers it: the run, then each phase's nodes
 * (tasks, gates, fix, checkpoint) with state, agent, attempts and why a node
 * failed, as `orchestra status` shows them. `self`: the caller's task. Pure.
 */
export function formatStatus(id: string, events: readonly OrchestraEvent[], runningId: string | undefined, now: number, self?: string): string {
  const info = runInfo(id, events, runningId);
  const rows = nodeStates(events, now);
  const head = `run ${id} (orchestra ${info.command}): ${outcomeText(info.outcome)}${info.durationMs !== undefined ? `, took ${formatDuration(info.durationMs)}` : ''}`;
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    const group = r.node.phase === null ? 'top-level gates' : `phase ${r.node.phase}`;
    const mine = self !== undefined && r.node.kind === 'task' && r.node.name === self ? ' (you)' : '';
    const extra = [r.agent ? `agent ${r.agent}` : '', r.attempts > 1 ? `attempt ${r.attempts}` : '', r.elapsedMs ? formatDuration(r.elapsedMs) : '']
      .filter(Boolean)
      .join(', ');
    const lines = [`  ${r.state} ${r.node.kind} ${r.node.name}${mine}${extra ? ` [${extra}]` : ''}`];
    if (r.state === 'running' && r.activity) lines.push(`    doing: ${r.activity}`);
    if (r.why && r.state !== 'passed') lines.push(`    why: ${r.why.split('\n')[0]?.slice(0, 300)}`);
    const list = groups.get(group) ?? [];
    list.push(...lines);
    groups.set(group, list);
  }
  if (groups.size === 0) return `${head}\n(the record lists no nodes yet)`;
  return [head, ...[...groups].map(([g, lines]) => `${g}:\n${lines.join('\n')}`)].join('\n');
}
