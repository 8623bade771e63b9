import type { RunResults } from './results.js';
import { relativeLog } from './results.js';

// Workflow commands: data escapes %, CR, LF; properties also escape : and ,.
const data = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string): string => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions annotations: one per finding, one per gate that failed otherwise.
 * `under`: the config's folder relative to the repository root, since GitHub
 * places an annotation by its path from the root.
 */
export function githubReport(run: RunResults, under = ''): string {
  const where = (file: string): string => (under ? `${under.replace(/\/+$/, '')}/${file}` : file);
  const lines: string[] = [];
  for (const r of run.results) {
    for (const f of r.findings) {
      const level = f.severity === 'error' ? 'error' : 'warning';
      lines.push(
        `::${level} file=${prop(where(f.file))},line=${f.line},col=${f.column},endLine=${f.endLine},endColumn=${f.endColumn},title=${prop(f.rule)}::${data(f.message)}`,
      );
    }
    if (r.status === 'failed' && r.findings.length === 0) {
      const last = (r.tail ?? '').trim().split('\n').slice(-10).join('\n');
      const log = relativeLog(run, r.logFile);
      lines.push(
        `::error title=${prop(`orchestra: ${r.kind} ${r.name} failed`)}::${data(`${r.message ?? 'failed'}${log ? ` (log: ${log})` : ''}${last ? `\n${last}` : ''}`)}`,
      );
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
