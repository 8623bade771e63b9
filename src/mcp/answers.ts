import type { NodeStatus } from '../events/events.js';
import type { Finding } from '../rules/types.js';

/** One gate's result as `check_gate` reports it. */
export interface GateAnswer {
  readonly name: string;
  readonly status: NodeStatus;
  readonly command: string;
  readonly durationMs: number;
  /** Why it failed or was skipped. */
  readonly message?: string;
  readonly findings: readonly Finding[];
  /** The end of a failing command's log. */
  readonly tail?: string;
}

/** Bounds that keep an answer small enough for a model's context: a long log or a thousand findings would drown it. */
export const TAIL_LINES = 40;
export const TAIL_CHARS = 4000;
export const FINDINGS_SHOWN = 50;

/** The last lines of a log, at most TAIL_LINES lines and TAIL_CHARS characters. Pure. */
export function boundedTail(tail: string): string {
  const lines = tail.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  return lines.length > TAIL_CHARS ? `…${lines.slice(-TAIL_CHARS)}` : lines;
}

/** `file:line:col: message (rule)`, and whether `orchestra check --fix` can fix it. */
export function findingLine(f: Finding): string {
  const severity = f.severity === 'warning' ? 'warning: ' : '';
  return `${f.file}:${f.line}:${f.column}: ${severity}${f.message} (${f.rule})${f.fix?.length ? ' [fix available: orchestra check --fix]' : ''}`;
}

/** The whole answer to a `check_gate` call, as text for a model: a verdict line first, then each gate. Pure. */
export function formatCheck(answers: readonly GateAnswer[]): string {
  if (answers.length === 0) return 'NO GATES: the config has no top-level gates to check (list_gates shows what there is)';
  const failed = answers.filter((a) => a.status === 'failed');
  const skipped = answers.filter((a) => a.status === 'skipped');
  const head = failed.length
    ? `FAILED: ${failed.map((a) => a.name).join(', ')} (${failed.length} of ${answers.length} gates failed)`
    : skipped.length
      ? `NOT ALL RAN: ${skipped.map((a) => a.name).join(', ')} skipped`
      : `PASSED: all ${answers.length} ${answers.length === 1 ? 'gate' : 'gates'} (${answers.map((a) => a.name).join(', ')})`;
  return [head, ...answers.map(formatGate)].join('\n\n');
}

function formatGate(a: GateAnswer): string {
  const status = a.status === 'cached' ? 'passed (cached: its inputs are unchanged since it last passed)' : a.status;
  const lines = [`gate ${a.name}: ${status}${a.message && a.status !== 'passed' && a.status !== 'cached' ? ` (${a.message})` : ''}`, `  checks: ${a.command}`];
  if (a.findings.length) {
    lines.push('  findings:');
    for (const f of a.findings.slice(0, FINDINGS_SHOWN)) lines.push(`    ${findingLine(f)}`);
    if (a.findings.length > FINDINGS_SHOWN) lines.push(`    … and ${a.findings.length - FINDINGS_SHOWN} more`);
  }
  // A rule's log is its findings again: only a command's output adds anything.
  const tail = a.status === 'failed' && a.tail && a.findings.length === 0 ? boundedTail(a.tail) : '';
  if (tail) lines.push('  output (last lines):', ...tail.split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}
