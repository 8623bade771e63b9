import { formatDuration } from '../config/duration.js';
import type { OrchestraEvent } from '../events/events.js';
import { selfCheckSummary } from '../events/self-check-text.js';
import type { RunResults } from './results.js';
import { accomplishmentMarkdown } from './accomplishment.js';

/** Notes worth a line in the report: merge rounds, setups that failed, writes the sandbox or the CLI refused, settings removed. */
const NOTABLE =
  /^(self-check:|blocker from the agent:|merge round \d+:|the sandbox refused a write:|refused by the CLI's permissions:|removed .*: the agent made it)/;

/** Agent work per node, from the events: who did it, attempts, tokens, cost; and what the agents ran into. */
export class AgentLedger {
  readonly byNode = new Map<string, { agent: string; runs: number; inputTokens: number; outputTokens: number; costUsd?: number }>();
  readonly notes: Array<{ nodeId: string; message: string }> = [];
  /** Task nodes whose agent had check_gate, with its calls in order. */
  readonly selfChecks = new Map<string, Array<{ ok: boolean }>>();

  readonly subscriber = (e: OrchestraEvent): void => {
    if (e.type === 'note' && NOTABLE.test(e.message)) this.notes.push({ nodeId: e.nodeId, message: e.message });
    const base = e.type === 'self-check' || e.type === 'agent-finished' ? (e.nodeId.split('#')[0] as string) : undefined;
    if (base?.startsWith('task:') && (e.type === 'self-check' || (e.type === 'agent-finished' && e.selfCheck)))
      this.selfChecks.set(base, [...(this.selfChecks.get(base) ?? []), ...(e.type === 'self-check' ? [{ ok: e.ok }] : [])]);
    if (e.type !== 'agent-finished') return;
    const id = e.nodeId.split('#')[0] as string;
    const row = this.byNode.get(id) ?? { agent: e.agent, runs: 0, inputTokens: 0, outputTokens: 0 };
    row.runs++;
    row.inputTokens += e.usage.inputTokens ?? 0;
    row.outputTokens += e.usage.outputTokens ?? 0;
    if (e.usage.costUsd !== undefined) row.costUsd = (row.costUsd ?? 0) + e.usage.costUsd;
    this.byNode.set(id, row);
  };
}

export interface RunFacts {
  readonly branch: string;
  readonly base: string;
  /** `git diff --stat base..branch`: what changed, from git, not from the agents. */
  readonly diffStat: string;
  readonly files: readonly string[];
  /** The request the run was planned from (`run --request`): the report then says what was accomplished. */
  readonly request?: string;
}

/**
 * The run's report: only what orchestra observed. Files and lines come from
 * git; a gate "passed" because its command exited 0 in the integration tree.
 */
export function runReportMarkdown(run: RunResults, ledger: AgentLedger, facts: RunFacts): string {
  const rows = run.results.map((r) => {
    const a = ledger.byNode.get(r.id);
    const usage = a ? `${a.inputTokens || '-'} / ${a.outputTokens || '-'}${a.costUsd !== undefined ? ` · $${a.costUsd.toFixed(4)}` : ''}` : '';
    return `| ${r.kind} | ${r.name} | ${r.status}${r.message ? ` (${r.message.replace(/\|/g, '\\|')})` : r.skipReason ? ` (${r.skipReason})` : ''} | ${a ? `${a.agent} ×${a.runs}` : ''} | ${usage} | ${formatDuration(r.durationMs)} |`;
  });
  const tasks = run.results.filter((r) => r.kind === 'task' && r.status === 'passed').map((r) => r.name);
  const subject = run.ok
    ? `${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'} by orchestra run ${run.runId}`
    : `partial work of orchestra run ${run.runId}`;
  return [
    `# orchestra run ${run.runId}`,
    '',
    `${run.ok ? 'Every phase held.' : run.interrupted ? 'Interrupted.' : 'Not every phase held.'} Branch \`${facts.branch}\`, from \`${facts.base.slice(0, 10)}\`, ${formatDuration(run.durationMs)}.`,
    '',
    '| kind | name | result | agent | tokens in / out · cost | time |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...(ledger.selfChecks.size
      ? [
          '## Did the agents check their own work',
          '',
          '| task | check_gate |',
          '| --- | --- |',
          ...[...ledger.selfChecks].map(([id, calls]) => `| ${id.replace(/^task:/, '')} | ${selfCheckSummary(calls)} |`),
          '',
        ]
      : []),
    ...(facts.request !== undefined ? accomplishmentMarkdown(facts.request, run, facts.files) : []),
    ...(ledger.notes.length
      ? ['## What the agents ran into', '', ...ledger.notes.map((n) => `- ${n.nodeId.replace(/^\w+:/, '')}: ${n.message.replace(/\n/g, ' ')}`), '']
      : []),
    '## Changes (from git)',
    '',
    '```',
    facts.diffStat.trim() || '(none)',
    '```',
    '',
    '## Suggested commit message',
    '',
    '```',
    subject,
    '',
    ...tasks.map((t) => `- ${t}`),
    '',
    `Files: ${facts.files.length}. Gates passed in the integration tree: ${
      run.results
        .filter((r) => r.kind === 'gate' && r.status === 'passed')
        .map((r) => r.name)
        .join(', ') || 'none'
    }.`,
    '```',
    '',
  ].join('\n');
}
