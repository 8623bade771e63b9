import { formatDuration } from '../config/duration.js';
import type { RunResults } from '../report/results.js';
import { recordPath, relativeLog } from '../report/results.js';
import { failureText, stackHint } from './internal-error.js';
import type { Style } from './style.js';

const TAIL_LINES = 25;

/** The closing lines of a pretty run: counts, then each failure with its findings or log tail and the log's path. */
export function formatRunSummary(run: RunResults, style: Style): string {
  const count = (status: string) => run.results.filter((r) => r.status === status).length;
  const parts = [`${count('passed')} passed`, `${count('failed')} failed`];
  if (count('skipped')) parts.push(`${count('skipped')} skipped`);
  if (count('cached')) parts.push(`${count('cached')} cached`);
  const out: string[] = [];
  for (const r of run.results.filter((x) => x.status === 'failed')) {
    out.push('', style.red(style.bold(`✗ ${r.kind} ${r.name}: ${failureText(r.reason, r.message)}`)));
    if (r.reason === 'internal') out.push(style.dim(`  ${stackHint(run.runId ? recordPath(run.root, run.runId) : undefined)}`));
    if (r.findings.length) {
      for (const f of r.findings.slice(0, 50))
        out.push(
          `  ${f.file}:${f.line}:${f.column}: ${f.severity === 'error' ? style.red('error') : style.yellow('warning')}: ${f.message} ${style.dim(`(${f.rule})`)}`,
        );
      if (r.findings.length > 50) out.push(style.dim(`  … and ${r.findings.length - 50} more`));
    } else if (r.tail && r.tail.trim()) {
      const lines = r.tail.replace(/\s+$/, '').split(/\r?\n/);
      if (lines.length > TAIL_LINES) out.push(style.dim(`  … (last ${TAIL_LINES} lines)`));
      for (const line of lines.slice(-TAIL_LINES)) out.push(`  ${style.dim('│')} ${line}`);
    }
    const log = relativeLog(run, r.logFile);
    if (log) out.push(style.dim(`  full log: ${log}`));
  }
  // Warnings of gates that held: listed and counted, so a passing run still shows them.
  const warned = run.results.filter((r) => r.status !== 'failed').flatMap((r) => r.findings.filter((f) => f.severity !== 'error'));
  if (warned.length) {
    out.push('', style.yellow(`⚠ ${warned.length} ${warned.length === 1 ? 'warning' : 'warnings'}`));
    for (const f of warned.slice(0, 50)) out.push(`  ${f.file}:${f.line}:${f.column}: ${style.yellow('warning')}: ${f.message} ${style.dim(`(${f.rule})`)}`);
    if (warned.length > 50) out.push(style.dim(`  … and ${warned.length - 50} more`));
    parts.push(style.yellow(`${warned.length} ${warned.length === 1 ? 'warning' : 'warnings'}`));
  }
  const verdict = run.interrupted ? style.yellow('interrupted') : run.ok ? style.green('all held') : style.red('failed');
  out.push('', `${parts.join(', ')} (${formatDuration(run.durationMs)}): ${verdict}`);
  return `${out.join('\n')}\n`;
}
