import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import type { OrchestraEvent } from '../../src/events/events.js';
import { githubReport } from '../../src/report/github.js';
import { jsonReport } from '../../src/report/json.js';
import { junitReport } from '../../src/report/junit.js';
import { ResultCollector, subNode } from '../../src/report/results.js';
import { AgentLedger, runReportMarkdown } from '../../src/report/run-report.js';
import { sarifReport } from '../../src/report/sarif.js';
import { ROOT } from '../helpers/repo.js';

/** The record of a run: a task that passed, a gate that failed with a finding, a fix node whose round 1 failed and round 2 healed it, a review, a checkpoint. */
function runRecord(): OrchestraEvent[] {
  const nodes = [
    { id: 'task:models/user', kind: 'task', name: 'user', phase: 'models', needs: [] },
    { id: 'gate:models/timestamps', kind: 'gate', name: 'timestamps', phase: 'models', needs: ['task:models/user'] },
    { id: 'fix:models', kind: 'fix', name: 'models', phase: 'models', needs: ['gate:models/timestamps'] },
    { id: 'checkpoint:models', kind: 'checkpoint', name: 'models', phase: 'models', needs: ['fix:models'] },
  ] as const;
  const finding = {
    rule: 'sqlalchemy/timestamp-server-default',
    file: 'app/models.py',
    line: 3,
    column: 5,
    endLine: 3,
    endColumn: 40,
    severity: 'error',
    message: 'updated_at has no server_default',
  } as const;
  const done = (nodeId: string, ts: number, status: 'passed' | 'failed', extra: Record<string, unknown> = {}): OrchestraEvent =>
    ({ type: 'node-finished', ts, nodeId, status, durationMs: 1000, exitCode: null, signal: null, attempts: 1, ...extra }) as OrchestraEvent;
  return [
    { type: 'run-started', ts: 1_000, runId: 'r1', command: 'run', root: '/repo', nodes },
    { type: 'node-started', ts: 1_000, nodeId: 'task:models/user', attempt: 1 },
    { type: 'agent-finished', ts: 2_000, nodeId: 'task:models/user', agent: 'claude', ok: true, usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.01 } },
    done('task:models/user', 2_000, 'passed'),
    { type: 'node-started', ts: 2_000, nodeId: 'gate:models/timestamps', attempt: 1 },
    { type: 'finding', ts: 2_100, nodeId: 'gate:models/timestamps', finding },
    done('gate:models/timestamps', 2_200, 'failed', { reason: 'findings', message: '1 finding' }),
    { type: 'node-started', ts: 2_300, nodeId: 'fix:models', attempt: 1 },
    { type: 'node-started', ts: 2_300, nodeId: 'fix:models#1', attempt: 1 },
    { type: 'agent-finished', ts: 3_300, nodeId: 'fix:models#1', agent: 'claude', ok: false, usage: {}, failure: { class: 'final', reason: 'max turns <5>' } },
    { type: 'node-started', ts: 3_400, nodeId: 'fix:models#2', attempt: 1 },
    { type: 'agent-finished', ts: 5_400, nodeId: 'fix:models#2', agent: 'claude', ok: true, usage: { inputTokens: 50, outputTokens: 5, costUsd: 0.02 } },
    { type: 'node-started', ts: 5_500, nodeId: 'fix:models#review2', attempt: 1 },
    { type: 'agent-finished', ts: 6_000, nodeId: 'fix:models#review2', agent: 'codex', ok: true, usage: {} },
    done('fix:models', 6_000, 'passed'),
    { type: 'node-started', ts: 6_000, nodeId: 'checkpoint:models', attempt: 1 },
    done('checkpoint:models', 6_100, 'passed'),
    { type: 'run-finished', ts: 6_100, ok: true, interrupted: false, durationMs: 5_100, counts: { passed: 3, failed: 1, cached: 0, skipped: 0 } },
  ];
}

function collect(events: readonly OrchestraEvent[]): { collector: ResultCollector; ledger: AgentLedger } {
  const collector = new ResultCollector();
  const ledger = new AgentLedger();
  for (const e of events) {
    collector.subscriber(e);
    ledger.subscriber(e);
  }
  return { collector, ledger };
}

describe('reporters for a run', () => {
  it('the collector keeps a fix node’s rounds and reviews, in order, with their agent and time', () => {
    const { collector } = collect(runRecord());
    expect(collector.run.command).toBe('run');
    const fix = collector.run.results.find((r) => r.id === 'fix:models');
    expect(fix?.rounds).toEqual([
      { id: 'fix:models#1', kind: 'fix-round', round: 1, agent: 'claude', ok: false, failure: 'max turns <5>', durationMs: 1000 },
      { id: 'fix:models#2', kind: 'fix-round', round: 2, agent: 'claude', ok: true, durationMs: 2000 },
      { id: 'fix:models#review2', kind: 'review', round: 2, agent: 'codex', ok: true, durationMs: 500 },
    ]);
    expect(collector.run.results.find((r) => r.kind === 'task')?.rounds).toEqual([]);
  });

  it('a gate that failed and then passed (after a fix round) is reported by its last run: no findings, no "2 findings"', () => {
    const record = runRecord();
    const finding = record.find((e) => e.type === 'finding');
    const gate = 'gate:models/timestamps';
    const again: OrchestraEvent[] = [
      { type: 'node-started', ts: 6_000, nodeId: gate, attempt: 1 },
      { type: 'node-finished', ts: 6_050, nodeId: gate, status: 'passed', durationMs: 50, exitCode: null, signal: null, attempts: 1 },
    ];
    // The failing round had two findings and said so.
    const events = record.flatMap((e) =>
      e.type === 'node-finished' && e.nodeId === gate
        ? [...(finding ? [finding] : []), { ...e, message: '2 findings' }]
        : e.type === 'run-finished'
          ? [...again, e]
          : [e],
    );
    const { collector, ledger } = collect(events);
    const r = collector.run.results.find((x) => x.id === gate);
    expect(r?.status).toBe('passed');
    expect(r?.findings).toEqual([]);
    expect(r?.message).toBeUndefined();
    const md = runReportMarkdown(collector.run, ledger, { branch: 'b', base: 'a', diffStat: '', files: [] });
    expect(md).toMatch(/\| gate \| timestamps \| passed \|/);
    expect(md).not.toContain('findings)');
  });

  it('junit: tasks, gates, fix rounds and reviews as test cases, valid against the JUnit schema', async () => {
    const xml = junitReport(collect(runRecord()).collector.run);
    const result = await validateXML({
      xml: [{ fileName: 'junit.xml', contents: xml }],
      schema: [readFileSync(path.join(ROOT, 'test/fixtures/junit.xsd'), 'utf8')],
    });
    expect(result.errors).toEqual([]);
    expect(xml).toMatch(/<testsuite name="orchestra run" tests="7" failures="2" errors="0" skipped="0"/);
    expect(xml).toContain('<testcase name="user" classname="orchestra.task" time="1.000"/>');
    expect(xml).toContain('<failure message="1 finding" type="findings">app/models.py:3:5: error: updated_at has no server_default');
    expect(xml).toContain(
      '<testcase name="models fix round 1 (claude)" classname="orchestra.fix-round" time="1.000">\n      <failure message="max turns &lt;5&gt;" type="agent"/>',
    );
    expect(xml).toContain('<testcase name="models fix round 2 (claude)" classname="orchestra.fix-round" time="2.000"/>');
    expect(xml).toContain('<testcase name="models review 2 (codex)" classname="orchestra.review" time="0.500"/>');
  });

  it('json: every node with its agent work', () => {
    const { collector, ledger } = collect(runRecord());
    const extra = (id: string): Record<string, unknown> => {
      const a = ledger.byNode.get(id);
      return a ? { agent: a.agent, agentRuns: a.runs, costUsd: a.costUsd } : {};
    };
    const report = JSON.parse(jsonReport(collector.run, extra)) as { ok: boolean; results: Array<Record<string, unknown>> };
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => [r['kind'], r['name'], r['status'], r['agentRuns']])).toEqual([
      ['task', 'user', 'passed', 1],
      ['gate', 'timestamps', 'failed', undefined],
      ['fix', 'models', 'passed', 3],
      ['checkpoint', 'models', 'passed', undefined],
    ]);
    expect(report.results[2]?.['costUsd']).toBeCloseTo(0.02);
  });

  it('sarif and github: the gate’s finding, positioned', () => {
    const run = collect(runRecord()).collector.run;
    const sarif = JSON.parse(sarifReport(run)) as { runs: Array<{ results: Array<{ ruleId: string; locations: unknown[] }> }> };
    expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toEqual(['sqlalchemy/timestamp-server-default']);
    expect(githubReport(run, '')).toContain('::error file=app/models.py,line=3,col=5,endLine=3,endColumn=40,title=sqlalchemy/timestamp-server-default::');
  });

  it('subNode reads round and review ids, and nothing else', () => {
    expect(subNode('fix:p#3')).toEqual({ parent: 'fix:p', kind: 'fix-round', round: 3 });
    expect(subNode('fix:p#review0')).toEqual({ parent: 'fix:p', kind: 'review', round: 0 });
    expect(subNode('task:p/a')).toBeUndefined();
    expect(subNode('fix:p#x')).toBeUndefined();
  });
});
