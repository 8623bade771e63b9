import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layout } from '../../dashboard/dag.js';
import { applyEvent, counts, emptyRun, roundLabel, selfCheckSummary } from '../../dashboard/model.js';
import { EventTail } from '../../src/serve/event-tail.js';
import { resumePoint, sseFrame } from '../../src/serve/sse.js';

const nodes = [
  { id: 'task:p/a', kind: 'task', name: 'a', phase: 'p', needs: [] },
  { id: 'task:p/b', kind: 'task', name: 'b', phase: 'p', needs: [] },
  { id: 'gate:p/lint', kind: 'gate', name: 'lint', phase: 'p', needs: ['task:p/a', 'task:p/b'] },
  { id: 'fix:p', kind: 'fix', name: 'p', phase: 'p', needs: ['gate:p/lint'] },
  { id: 'checkpoint:p', kind: 'checkpoint', name: 'p', phase: 'p', needs: ['fix:p'] },
];
const finding = { rule: 'hygiene/no-todo', file: 'a.py', line: 3, column: 1, endLine: 3, endColumn: 5, severity: 'error', message: 'a TODO' };

describe('dashboard model', () => {
  it("says per agent node whether its agent checked its own work with check_gate (a send-back's calls count for its task)", () => {
    const run = emptyRun();
    applyEvent(run, { type: 'run-started', ts: 1, runId: 'r', command: 'run', root: '/x', nodes });
    applyEvent(run, { type: 'agent-finished', ts: 2, nodeId: 'task:p/a', agent: 'c', ok: true, usage: {}, selfCheck: true });
    applyEvent(run, { type: 'agent-finished', ts: 2, nodeId: 'task:p/b', agent: 'c', ok: true, usage: {} });
    expect(selfCheckSummary(run.nodes.get('task:p/a')!)).toBe('never called check_gate');
    applyEvent(run, { type: 'self-check', ts: 3, nodeId: 'task:p/a', ok: false, gates: [{ name: 'lint', status: 'failed' }] });
    applyEvent(run, { type: 'self-check', ts: 4, nodeId: 'task:p/a#self-check', ok: true, gates: [{ name: 'lint', status: 'passed' }] });
    expect(selfCheckSummary(run.nodes.get('task:p/a')!)).toBe('2 check_gate calls, the last passed');
    expect(selfCheckSummary(run.nodes.get('task:p/b')!)).toBe('');
  });

  it('follows nodes from waiting to running to their end, with findings, agent usage and fix rounds', () => {
    const run = emptyRun();
    const events = [
      { type: 'run-started', ts: 1000, runId: 'r1', command: 'run', root: '/x', nodes },
      { type: 'node-started', ts: 1010, nodeId: 'task:p/a', attempt: 1 },
      { type: 'agent-event', ts: 1020, nodeId: 'task:p/a', agent: 'coder', event: { kind: 'tool-use', name: 'Edit', input: { file: 'a.py' } } },
      { type: 'agent-finished', ts: 1030, nodeId: 'task:p/a', agent: 'coder', ok: true, usage: { inputTokens: 100, outputTokens: 20, costUsd: 0.5 } },
      { type: 'node-finished', ts: 1040, nodeId: 'task:p/a', status: 'passed', durationMs: 30, exitCode: null, signal: null, attempts: 1 },
      { type: 'node-skipped', ts: 1041, nodeId: 'task:p/b', reason: 'not selected' },
      { type: 'node-started', ts: 1050, nodeId: 'gate:p/lint', attempt: 1 },
      { type: 'finding', ts: 1060, nodeId: 'gate:p/lint', finding },
      { type: 'node-finished', ts: 1070, nodeId: 'gate:p/lint', status: 'failed', durationMs: 20, exitCode: 1, signal: null, reason: 'findings', attempts: 1 },
      { type: 'node-started', ts: 1080, nodeId: 'fix:p', attempt: 1 },
      { type: 'node-started', ts: 1081, nodeId: 'fix:p#1', attempt: 1 },
      { type: 'agent-finished', ts: 1090, nodeId: 'fix:p#1', agent: 'fixer', ok: true, usage: { costUsd: 0.25 } },
      { type: 'node-started', ts: 1100, nodeId: 'gate:p/lint', attempt: 1 },
    ];
    for (const e of events) applyEvent(run, e);
    const n = (id: string) => run.nodes.get(id)!;
    expect(n('task:p/a')).toMatchObject({ state: 'passed', agent: 'coder', costUsd: 0.5, inputTokens: 100, durationMs: 30 });
    expect(n('task:p/a').agentEvents).toEqual([{ ts: 1020, nodeId: 'task:p/a', kind: 'tool-use', name: 'Edit', input: { file: 'a.py' } }]);
    expect(n('task:p/b').state).toBe('skipped');
    // The gate runs again after the fix: its earlier findings are kept apart from the new run's.
    expect(n('gate:p/lint')).toMatchObject({ state: 'running', findings: [], earlierFindings: [finding] });
    expect(n('gate:p/lint').spans).toEqual([
      { start: 1050, end: 1070, status: 'failed' },
      { start: 1100, end: null, status: 'running' },
    ]);
    // A fix round counts toward its fix node and has its own log.
    expect(n('fix:p')).toMatchObject({ state: 'running', agent: 'fixer', costUsd: 0.25, logIds: ['fix:p', 'fix:p#1'] });
    expect(run.costUsd).toBe(0.75);
    expect(counts(run)).toEqual({ passed: 1, skipped: 1, running: 2, waiting: 1 });
    applyEvent(run, { type: 'run-finished', ts: 1200, ok: false, interrupted: true, durationMs: 200, counts: {} });
    expect(n('fix:p').state).toBe('interrupted');
    expect(run).toMatchObject({ finishedAt: 1200, ok: false, interrupted: true });
  });

  it('ignores events for nodes it does not know and event types it has never seen', () => {
    const run = emptyRun();
    applyEvent(run, { type: 'run-started', ts: 1, runId: 'r', command: 'check', root: '/', nodes: nodes.slice(0, 1) });
    applyEvent(run, { type: 'node-started', ts: 2, nodeId: 'gate:nope', attempt: 1 });
    applyEvent(run, { type: 'from-the-future', ts: 3, nodeId: 'task:p/a' });
    expect([...run.nodes.values()].map((n) => n.state)).toEqual(['waiting']);
  });
});

describe('dashboard layout', () => {
  it('puts each node one column right of the deepest node it needs', () => {
    const { at, edges } = layout(nodes);
    const col = (id: string) => at.get(id)!.x;
    expect(col('task:p/a')).toBe(col('task:p/b'));
    expect(at.get('task:p/a')!.y).toBeLessThan(at.get('task:p/b')!.y);
    expect(col('gate:p/lint')).toBeGreaterThan(col('task:p/a'));
    expect(col('fix:p')).toBeGreaterThan(col('gate:p/lint'));
    expect(col('checkpoint:p')).toBeGreaterThan(col('fix:p'));
    expect(edges).toHaveLength(4);
  });

  it('draws a record with a cycle or a missing node instead of looping', () => {
    const { at } = layout([
      { id: 'a', needs: ['b', 'ghost'] },
      { id: 'b', needs: ['a'] },
    ]);
    expect(at.size).toBe(2);
  });
});

describe('server-sent events', () => {
  it('frames an event with its id, and resumes after Last-Event-ID or ?after=', () => {
    expect(sseFrame(7, '{"a":1}')).toBe('id: 7\ndata: {"a":1}\n\n');
    expect(sseFrame(1, 'x\ny', 'log')).toBe('event: log\nid: 1\ndata: x\ndata: y\n\n');
    expect(resumePoint('12', null)).toBe(12);
    expect(resumePoint(undefined, '5')).toBe(5);
    expect(resumePoint('junk', 'also junk')).toBe(0);
  });

  it('hands over each complete line once, numbered, and waits for the end of a half-written one', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tail-')), 'events.jsonl');
    const seen: Array<[number, string]> = [];
    const tail = new EventTail(file, 1, (id, line) => seen.push([id, line]));
    tail.poll(); // no file yet
    writeFileSync(file, '{"n":1}\n{"n":2}\n{"n":');
    tail.poll();
    expect(seen).toEqual([[2, '{"n":2}']]);
    appendFileSync(file, '3}\n');
    tail.poll();
    tail.poll();
    expect(seen).toEqual([
      [2, '{"n":2}'],
      [3, '{"n":3}'],
    ]);
  });
});

describe('roundLabel', () => {
  it('names fix rounds, merge rounds, reviews and anything else as it is', () => {
    expect(roundLabel('2')).toBe('round 2');
    expect(roundLabel('merge1')).toBe('merge round 1');
    expect(roundLabel('review0')).toBe('review 1');
    expect(roundLabel('self-check')).toBe('self-check');
  });
});
