import { describe, expect, it } from 'vitest';
import { DENIED } from '../../src/agents/types.js';
import type { OrchestraEvent } from '../../src/events/events.js';
import { AlertDetector, stableJson } from '../../src/monitor/alert-detector.js';

const nodes = [
  { id: 'task:p/a', kind: 'task' as const, name: 'a', phase: 'p', needs: [] },
  { id: 'gate:p/unit', kind: 'gate' as const, name: 'unit', phase: 'p', needs: ['task:p/a'] },
  { id: 'fix:p', kind: 'fix' as const, name: 'p', phase: 'p', needs: ['gate:p/unit'] },
];
const T = { silentMs: 1000, stalledMs: 5000, loopRepeats: 3 };
const start: OrchestraEvent = { type: 'run-started', ts: 0, runId: 'r', command: 'run', root: '/x', nodes };
const started = (nodeId: string, ts: number): OrchestraEvent => ({ type: 'node-started', ts, nodeId, attempt: 1 });
const finished = (nodeId: string, ts: number): OrchestraEvent => ({
  type: 'node-finished',
  ts,
  nodeId,
  status: 'passed',
  durationMs: 1,
  exitCode: 0,
  signal: null,
  attempts: 1,
});
const tool = (nodeId: string, ts: number, name: string, input: unknown): OrchestraEvent => ({
  type: 'agent-event',
  ts,
  nodeId,
  agent: 'claude',
  event: { kind: 'tool-use', name, input },
});

function detector(...events: OrchestraEvent[]): AlertDetector {
  const d = new AlertDetector(T);
  for (const e of events) d.observe(e);
  return d;
}

describe('alert detector', () => {
  it('says once that a running agent has been silent past the threshold, and again after it spoke and fell silent again', () => {
    const d = detector(start, started('task:p/a', 100));
    expect(d.tick(1099)).toEqual([]);
    expect(d.tick(1100)).toEqual([{ kind: 'silent', node: 'task:p/a', message: 'the agent has printed nothing for 1.0s' }]);
    expect(d.tick(5000)).toEqual([]);
    d.observe({ type: 'node-output', ts: 5000, nodeId: 'task:p/a', line: 'working' });
    expect(d.tick(5500)).toEqual([]);
    expect(d.tick(6000).map((a) => a.kind)).toEqual(['silent']);
  });

  it('does not call a long gate a silent agent, nor a finished agent', () => {
    const d = detector(start, started('gate:p/unit', 0), started('task:p/a', 0), finished('task:p/a', 10));
    expect(d.tick(4000)).toEqual([]);
  });

  it('watches a fix round as an agent (not the fix node around it), until its agent finished', () => {
    const d = detector(start, started('fix:p', 0), started('fix:p#1', 0));
    expect(d.tick(2000).map((a) => a.node)).toEqual(['fix:p#1']);
    const done = detector(start, started('fix:p', 0), started('fix:p#1', 0));
    done.observe({ type: 'agent-finished', ts: 10, nodeId: 'fix:p#1', agent: 'claude', ok: true, usage: {} });
    expect(done.tick(2000)).toEqual([]);
  });

  it('says when a CLI refused a permission or the agent asks for input or waits on stdin', () => {
    const d = detector(start, started('task:p/a', 0));
    expect(
      d.observe({ type: 'agent-event', ts: 1, nodeId: 'task:p/a', agent: 'claude', event: { kind: 'warning', message: `${DENIED}Write /etc/x` } }),
    ).toEqual([{ kind: 'permission', node: 'task:p/a', message: 'agent claude was refused a permission: Write /etc/x' }]);
    expect(d.observe({ type: 'agent-event', ts: 1, nodeId: 'task:p/a', agent: 'claude', event: { kind: 'warning', message: 'slow' } })).toEqual([]);
    expect(d.observe(tool('task:p/a', 2, 'AskUserQuestion', { question: 'which?' })).map((a) => a.kind)).toEqual(['input']);
    expect(d.observe({ type: 'node-output', ts: 3, nodeId: 'task:p/a', line: 'Overwrite app.py? [y/N]' }).map((a) => a.kind)).toEqual(['input']);
    expect(d.observe({ type: 'node-output', ts: 3, nodeId: 'task:p/a', line: 'all done' })).toEqual([]);
  });

  it('says when the same tool gets the same input the third time (keys in any order), once, and counts afresh in a new attempt', () => {
    const d = detector(start, started('task:p/a', 0));
    expect(d.observe(tool('task:p/a', 1, 'Bash', { command: 'npm test', timeout: 5 }))).toEqual([]);
    expect(d.observe(tool('task:p/a', 2, 'Bash', { command: 'npm run build' }))).toEqual([]);
    expect(d.observe(tool('task:p/a', 3, 'Bash', { timeout: 5, command: 'npm test' }))).toEqual([]);
    expect(d.observe(tool('task:p/a', 4, 'Bash', { command: 'npm test', timeout: 5 }))).toEqual([
      { kind: 'loop', node: 'task:p/a', message: 'agent claude called Bash with the same input 3 times: npm test' },
    ]);
    expect(d.observe(tool('task:p/a', 5, 'Bash', { command: 'npm test', timeout: 5 }))).toEqual([]);
    d.observe({ type: 'agent-finished', ts: 6, nodeId: 'task:p/a', agent: 'claude', ok: false, usage: {} });
    d.observe({ type: 'node-started', ts: 6, nodeId: 'task:p/a', attempt: 2 });
    for (const ts of [7, 8]) expect(d.observe(tool('task:p/a', ts, 'Bash', { command: 'npm test', timeout: 5 }))).toEqual([]);
    expect(d.observe(tool('task:p/a', 9, 'Bash', { command: 'npm test', timeout: 5 })).map((a) => a.kind)).toEqual(['loop']);
  });

  it('says when nothing has run for a while in an unfinished run, not while something runs nor after the run ended', () => {
    const d = detector(start);
    expect(d.tick(4999)).toEqual([]);
    expect(d.tick(5000)).toEqual([{ kind: 'stalled', node: null, message: 'nothing has been running for 5.0s and the run has not finished' }]);
    expect(d.tick(9000)).toEqual([]);
    d.observe(started('gate:p/unit', 9000));
    expect(d.tick(20_000)).toEqual([]);
    d.observe(finished('gate:p/unit', 20_000));
    expect(d.tick(25_000).map((a) => a.kind)).toEqual(['stalled']);
    const ended = detector(start);
    ended.observe({ type: 'run-finished', ts: 10, ok: true, interrupted: false, durationMs: 10, counts: { passed: 0, failed: 0, cached: 0, skipped: 0 } });
    expect(ended.tick(60_000)).toEqual([]);
  });

  it('writes the same input as the same text whatever the key order', () => {
    expect(stableJson({ b: [1, { d: 1, c: 2 }], a: 'x' })).toBe(stableJson({ a: 'x', b: [1, { c: 2, d: 1 }] }));
    expect(stableJson(undefined)).toBe('null');
  });
});
