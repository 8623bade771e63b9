import type { RunResults } from './results.js';

/** The `--reporter json` contract: one object on stdout; `extra` adds fields to a node's entry (a run's agent work). */
export function jsonReport(run: RunResults, extra: (id: string) => Record<string, unknown> = () => ({})): string {
  return `${JSON.stringify(
    {
      ok: run.ok,
      results: run.results.map((r) => ({
        name: r.name,
        kind: r.kind,
        status: r.status,
        durationMs: r.durationMs,
        exitCode: r.exitCode,
        findings: r.findings.map((f) => ({ rule: f.rule, file: f.file, line: f.line, column: f.column, severity: f.severity, message: f.message })),
        ...extra(r.id),
      })),
    },
    null,
    2,
  )}\n`;
}
