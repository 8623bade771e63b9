import type { RunResults } from './results.js';
import { relativeLog } from './results.js';

const xml = (s: string): string =>
  s
    // XML 1.0 cannot hold most control characters, even escaped.
    // eslint-disable-next-line no-control-regex -- removing them is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * JUnit XML (the Jenkins/Ant shape every CI system reads): one testcase per
 * node, and for a run one more per fix round and review, so a CI page shows
 * how the fix loop went.
 */
export function junitReport(run: RunResults): string {
  const rounds = run.results.flatMap((r) =>
    r.rounds.map((x) => {
      const name = `${r.name} ${x.kind === 'review' ? 'review' : 'fix round'} ${x.round}${x.agent ? ` (${x.agent})` : ''}`;
      const open = `    <testcase name="${xml(name)}" classname="orchestra.${x.kind}" time="${seconds(x.durationMs)}"`;
      return x.ok ? `${open}/>` : `${open}>\n      <failure message="${xml(x.failure ?? 'the agent failed')}" type="agent"/>\n    </testcase>`;
    }),
  );
  const roundFailures = run.results.reduce((n, r) => n + r.rounds.filter((x) => !x.ok).length, 0);
  const failures = run.results.filter((r) => r.status === 'failed').length + roundFailures;
  const skipped = run.results.filter((r) => r.status === 'skipped').length;
  const total = run.results.length + rounds.length;
  const time = seconds(run.durationMs);
  const stamp = new Date(run.startedAt || Date.now()).toISOString().slice(0, 19);
  const cases = run.results.map((r) => {
    const open = `    <testcase name="${xml(r.name)}" classname="orchestra.${xml(r.kind)}" time="${seconds(r.durationMs)}"`;
    if (r.status === 'failed') {
      const findings = r.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} (${f.rule})`).join('\n');
      const log = relativeLog(run, r.logFile);
      const body = [findings || (r.tail ?? '').trim(), log ? `full log: ${log}` : ''].filter(Boolean).join('\n');
      return `${open}>\n      <failure message="${xml(r.message ?? 'failed')}" type="${xml(r.reason ?? 'failed')}">${xml(body)}</failure>\n    </testcase>`;
    }
    if (r.status === 'skipped') return `${open}>\n      <skipped message="${xml(r.skipReason ?? 'skipped')}"/>\n    </testcase>`;
    if (r.status === 'cached') return `${open}>\n      <system-out>cached: passed before with the same inputs</system-out>\n    </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="orchestra" tests="${total}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="orchestra ${run.command}" tests="${total}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}" timestamp="${stamp}" hostname="localhost" id="0" package="orchestra">`,
    '    <properties>',
    `      <property name="run-id" value="${xml(run.runId)}"/>`,
    '    </properties>',
    ...cases,
    ...rounds,
    '    <system-out/>',
    '    <system-err/>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
