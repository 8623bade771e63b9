import { describe, expect, it } from 'vitest';
import type { OrchestraEvent } from '../../src/events/events.js';
import { compareRuns } from '../../src/logger/compare-runs.js';
import { fixHistory } from '../../src/logger/fix-history.js';
import type { Finding } from '../../src/rules/types.js';

const nodes = [
  { id: 'task:p/a', kind: 'task' as const, name: 'a', phase: 'p', needs: [] },
  { id: 'gate:p/lint', kind: 'gate' as const, name: 'lint', phase: 'p', needs: ['task:p/a'] },
  { id: 'gate:p/unit', kind: 'gate' as const, name: 'unit', phase: 'p', needs: ['task:p/a'] },
  { id: 'fix:p', kind: 'fix' as const, name: 'p', phase: 'p', needs: ['gate:p/lint', 'gate:p/unit'] },
];
const f = (message: string, line = 1): Finding => ({ rule: 'r', file: 'a.py', line, column: 1, endLine: line, endColumn: 2, severity: 'error', message });
const start = (runId: string): OrchestraEvent => ({ type: 'run-started', ts: 0, runId, command: 'run', root: '/x', nodes });
const began = (nodeId: string, ts: number): OrchestraEvent => ({ type: 'node-started', ts, nodeId, attempt: 1 });
const ended = (nodeId: string, ts: number, status: 'passed' | 'failed', durationMs = 10): OrchestraEvent => ({
  type: 'node-finished',
  ts,
  nodeId,
  status,
  durationMs,
  exitCode: status === 'passed' ? 0 : 1,
  signal: null,
  attempts: 1,
});
const found = (nodeId: string, ts: number, finding: Finding): OrchestraEvent => ({ type: 'finding', ts, nodeId, finding });

const record: OrchestraEvent[] = [
  start('r1'),
  began('task:p/a', 1),
  ended('task:p/a', 2, 'passed'),
  began('gate:p/lint', 3),
  found('gate:p/lint', 4, f('unused x', 3)),
  found('gate:p/lint', 4, f('long line', 9)),
  ended('gate:p/lint', 5, 'failed'),
  began('gate:p/unit', 3),
  ended('gate:p/unit', 5, 'passed'),
  began('fix:p', 6),
  began('fix:p#1', 7),
  {
    type: 'agent-event',
    ts: 8,
    nodeId: 'fix:p#1',
    agent: 'claude',
    event: { kind: 'tool-use', name: 'Edit', input: { file_path: 'a.py', old_string: 'x = 1', new_string: '' } },
  },
  { type: 'agent-event', ts: 8, nodeId: 'fix:p#1', agent: 'claude', event: { kind: 'tool-use', name: 'Read', input: { file_path: 'a.py' } } },
  { type: 'agent-finished', ts: 9, nodeId: 'fix:p#1', agent: 'claude', ok: true, usage: { costUsd: 0.5 } },
  began('gate:p/lint', 10),
  // The line moved: still the same finding.
  found('gate:p/lint', 11, f('long line', 8)),
  ended('gate:p/lint', 12, 'failed'),
  began('gate:p/unit', 10),
  ended('gate:p/unit', 12, 'passed'),
  began('fix:p#2', 13),
  { type: 'agent-finished', ts: 14, nodeId: 'fix:p#2', agent: 'codex', ok: true, usage: {} },
  began('gate:p/lint', 15),
  ended('gate:p/lint', 16, 'passed'),
  ended('fix:p', 17, 'passed', 11),
  { type: 'run-finished', ts: 18, ok: true, interrupted: false, durationMs: 18, counts: { passed: 4, failed: 0, cached: 0, skipped: 0 } },
];

describe('fix history', () => {
  it('gives each gate that failed its runs round by round, the findings each fix round made go, its edits, and the learned fix', () => {
    const learned = [
      { gate: 'lint', phase: 'p', runId: 'r0', signature: 'old', diff: 'an older run' },
      { gate: 'lint', phase: 'p', runId: 'r1', signature: 'sig', diff: '-long\n+short' },
    ];
    const [lint, ...others] = fixHistory(record, learned);
    // unit never failed: no history.
    expect(others).toEqual([]);
    expect(lint!.gate).toBe('gate:p/lint');
    expect(lint!.runs.map((r) => [r.round, r.status, r.findings.map((x) => x.message), r.gone.map((x) => x.message)])).toEqual([
      [0, 'failed', ['unused x', 'long line'], []],
      [1, 'failed', ['long line'], ['unused x']],
      [2, 'passed', [], ['long line']],
    ]);
    expect(lint!.rounds).toEqual([
      { round: 1, runAs: 'fix:p#1', agent: 'claude', ok: true, edits: [{ tool: 'Edit', subject: 'a.py', diff: ['-x = 1'] }] },
      { round: 2, runAs: 'fix:p#2', agent: 'codex', ok: true, edits: [] },
    ]);
    expect(lint!.learned).toEqual({ signature: 'sig', diff: '-long\n+short' });
  });

  it('has nothing to say about a record without a start, or a gate still running', () => {
    expect(fixHistory(record.slice(1))).toEqual([]);
    const running = fixHistory(record.slice(0, 5));
    expect(running.map((g) => g.runs)).toEqual([[{ round: 0, status: 'running', findings: [f('unused x', 3)], gone: [] }]]);
  });
});

describe('compare runs', () => {
  it('lines up two runs node by node: which changed state, their times and costs, and the totals', () => {
    const earlier: OrchestraEvent[] = [
      start('r0'),
      began('task:p/a', 1),
      { type: 'agent-finished', ts: 2, nodeId: 'task:p/a', agent: 'claude', ok: true, usage: { costUsd: 0.25 } },
      ended('task:p/a', 3, 'passed', 40),
      began('gate:p/lint', 4),
      ended('gate:p/lint', 5, 'failed', 7),
      { type: 'run-finished', ts: 6, ok: false, interrupted: false, durationMs: 60, counts: { passed: 1, failed: 1, cached: 0, skipped: 0 } },
    ];
    const cmp = compareRuns(earlier, record, 100);
    const row = (id: string) => cmp.nodes.find((n) => n.id === id);
    expect(row('task:p/a')).toEqual({
      id: 'task:p/a',
      label: 'p/a',
      a: { state: 'passed', ms: 40, costUsd: 0.25 },
      b: { state: 'passed', ms: 10, costUsd: 0 },
      changed: false,
    });
    expect(row('gate:p/lint')).toMatchObject({ a: { state: 'failed' }, b: { state: 'passed' }, changed: true });
    expect(row('fix:p')).toMatchObject({ a: { state: 'waiting' }, b: { state: 'passed', costUsd: 0.5 }, changed: true });
    expect(cmp.totals).toEqual({ a: { ms: 60, costUsd: 0.25 }, b: { ms: 18, costUsd: 0.5 } });
    // A node only one run had is a change.
    const fewer = compareRuns([{ ...start('r0'), nodes: nodes.slice(0, 1) } as OrchestraEvent], record, 100);
    expect(fewer.nodes.find((n) => n.id === 'fix:p')).toMatchObject({ changed: true });
    expect(fewer.nodes.find((n) => n.id === 'fix:p')!.a).toBeUndefined();
  });
});
