import { formatDuration } from '../config/duration.js';
import type { NodeInfo, OrchestraEvent } from '../events/events.js';
import { selfCheckText } from '../events/self-check-text.js';
import type { Finding } from '../rules/types.js';
import { recordPath } from '../report/results.js';
import { unreachable } from '../util/unreachable.js';
import { failureText, stackHint } from './internal-error.js';
import type { Style } from './style.js';

export interface Renderer {
  readonly subscriber: (e: OrchestraEvent) => void;
  /** Resolves once everything is on screen. */
  finish(): Promise<void>;
}

export function nodeLabel(n: Pick<NodeInfo, 'kind' | 'name' | 'phase'>): string {
  if (n.kind === 'checkpoint' || n.kind === 'fix') return `${n.kind} ${n.name}`;
  return n.phase === null ? n.name : `${n.phase}/${n.name}`;
}

export function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Findings named under a failed node's line; the summary at the end lists them all. */
const FINDINGS_SHOWN = 3;

/** Line per event, no escape codes beyond optional colour: for CI logs and pipes. */
export function plainRenderer(write: (s: string) => void, style: Style): Renderer {
  const nodes = new Map<string, NodeInfo>();
  /** Each running node's findings so far: a failed gate names its first few, not only their count. */
  const findings = new Map<string, { first: Finding[]; errors: number }>();
  /** Each node's warnings: shown under its line when it holds. */
  const warnings = new Map<string, Finding[]>();
  let record: string | undefined;
  const label = (id: string): string => {
    const n = nodes.get(id);
    if (n) return nodeLabel(n);
    // A fix agent's round runs under its fix node's id plus '#round'.
    const [base, round] = id.split('#');
    const parent = base === undefined ? undefined : nodes.get(base);
    return parent && round ? `${nodeLabel(parent)}, round ${round}` : id;
  };
  return {
    subscriber(e) {
      switch (e.type) {
        case 'run-started':
          for (const n of e.nodes) nodes.set(n.id, n);
          record = recordPath(e.root, e.runId);
          return;
        case 'node-started':
          findings.delete(e.nodeId);
          warnings.delete(e.nodeId);
          write(`${style.dim('▸')} ${label(e.nodeId)}${e.attempt > 1 ? style.dim(` (attempt ${e.attempt})`) : ''}\n`);
          return;
        case 'node-retry':
          write(`${style.yellow('↻')} ${label(e.nodeId)} failed (${e.reason}), trying again\n`);
          return;
        case 'node-finished':
          if (e.status === 'passed' || e.status === 'cached') {
            const mark =
              e.status === 'passed'
                ? `${style.green('✓')} ${label(e.nodeId)} ${style.dim(formatDuration(e.durationMs))}`
                : `${style.cyan('◌')} ${label(e.nodeId)} ${style.dim('cached')}`;
            const warned = warnings.get(e.nodeId) ?? [];
            write(`${mark}${warned.length ? ` ${style.yellow(count(warned.length, 'warning'))}` : ''}\n`);
            // A gate that held can still have found something worth a look: say it, as the reporters do.
            for (const f of warned.slice(0, FINDINGS_SHOWN))
              write(`    ${f.file}:${f.line}:${f.column}: ${style.yellow('warning')}: ${f.message} ${style.dim(`(${f.rule})`)}\n`);
            if (warned.length > FINDINGS_SHOWN) write(`    ${style.dim(`… and ${warned.length - FINDINGS_SHOWN} more`)}\n`);
          } else if (e.reason === 'internal')
            write(`${style.red('✗')} ${label(e.nodeId)}: ${style.red(failureText(e.reason, e.message))}\n  ${style.dim(stackHint(record))}\n`);
          else {
            write(`${style.red('✗')} ${label(e.nodeId)} ${style.red(e.message ?? 'failed')} ${style.dim(formatDuration(e.durationMs))}\n`);
            const found = findings.get(e.nodeId);
            for (const f of found?.first ?? []) write(`    ${f.file}:${f.line}:${f.column}: ${f.message} ${style.dim(`(${f.rule})`)}\n`);
            if (found && found.errors > found.first.length) write(`    ${style.dim(`… and ${found.errors - found.first.length} more`)}\n`);
          }
          findings.delete(e.nodeId);
          warnings.delete(e.nodeId);
          return;
        case 'node-skipped':
          write(`${style.dim('-')} ${label(e.nodeId)} ${style.dim(`skipped: ${e.reason}`)}\n`);
          return;
        case 'note':
          write(`  ${style.dim(`${label(e.nodeId)}: ${e.message}`)}\n`);
          return;
        case 'self-check':
          write(`  ${style.dim(`${label(e.nodeId)}: ${selfCheckText(e)}`)}\n`);
          return;
        case 'alert':
          write(`${style.yellow('!')} ${e.node ? `${label(e.node)}: ` : ''}${style.yellow(e.message)}\n`);
          return;
        case 'agent-finished': {
          const u = e.usage;
          const tokens = u.inputTokens !== undefined || u.outputTokens !== undefined ? ` · ${u.inputTokens ?? 0} in / ${u.outputTokens ?? 0} out tokens` : '';
          const cost = u.costUsd !== undefined ? ` · $${u.costUsd.toFixed(4)}` : '';
          const how = e.ok ? 'done' : `failed (${e.failure?.class ?? 'final'}: ${e.failure?.reason ?? 'no reason given'})`;
          write(`  ${style.dim(`${label(e.nodeId)}: agent ${e.agent} ${how}${tokens}${cost}`)}\n`);
          return;
        }
        case 'finding': {
          if (e.finding.severity !== 'error') {
            warnings.set(e.nodeId, [...(warnings.get(e.nodeId) ?? []), e.finding]);
            return;
          }
          const seen = findings.get(e.nodeId) ?? { first: [], errors: 0 };
          seen.errors++;
          if (seen.first.length < FINDINGS_SHOWN) seen.first.push(e.finding);
          findings.set(e.nodeId, seen);
          return;
        }
        case 'node-output':
        case 'cache-hit':
        case 'agent-event':
        case 'run-finished':
          return;
        default:
          unreachable(e);
      }
    },
    finish: () => Promise.resolve(),
  };
}
