import { describe, expect, it } from 'vitest';
import type { NodeInfo, OrchestraEvent } from '../../src/events/events.js';
import { crashEvent } from '../../src/exec/scheduler.js';
import { plainRenderer } from '../../src/logger/plain-renderer.js';
import { formatRunSummary } from '../../src/logger/run-summary.js';
import type { Style } from '../../src/logger/style.js';
import { exitCodeOf, ResultCollector, type NodeResult, type RunResults } from '../../src/report/results.js';

const id = (s: string): string => s;
const plain: Style = { red: id, yellow: id, green: id, cyan: id, dim: id, bold: id };

const ROOT = '/repo';
const RUN_ID = '20250101-120000-abcd';
const RECORD = `.orchestra/runs/${RUN_ID}/events.jsonl`;
const BUG = 'internal error in orchestra (a bug; please report it)';

const node = (nodeId: string, needs: string[] = []): NodeInfo => ({ id: nodeId, kind: 'gate', name: nodeId, phase: null, needs });

/** What a check whose `lint` gate threw sends: started, crashed, its dependent skipped, finished. */
function crashedRun(): OrchestraEvent[] {
  const error = new Error("Cannot read properties of undefined (reading 'argv')");
  return [
    { type: 'run-started', ts: 1, runId: RUN_ID, command: 'check', root: ROOT, nodes: [node('lint'), node('unit', ['lint'])] },
    { type: 'node-started', ts: 2, nodeId: 'lint', attempt: 1 },
    crashEvent('lint', error, 5, 7),
    { type: 'node-skipped', ts: 8, nodeId: 'unit', reason: 'needs lint, which failed' },
    { type: 'run-finished', ts: 9, ok: false, interrupted: false, durationMs: 8, counts: { passed: 0, failed: 1, cached: 0, skipped: 1 } },
  ];
}

describe('an internal error, as shown', () => {
  it('plain renderer: the node failed, because of a bug in orchestra, with the message and where the stack is', () => {
    const out: string[] = [];
    const r = plainRenderer((s) => out.push(s), plain);
    for (const e of crashedRun()) r.subscriber(e);
    expect(out.join('')).toBe(
      [
        '▸ lint',
        `✗ lint: ${BUG}: Cannot read properties of undefined (reading 'argv')`,
        `  the stack is in the run's record, ${RECORD} (this node's node-finished event)`,
        '- unit skipped: needs lint, which failed',
        '',
      ].join('\n'),
    );
  });

  it('plain renderer: an ordinary failure is not called a bug', () => {
    const out: string[] = [];
    const r = plainRenderer((s) => out.push(s), plain);
    r.subscriber({ type: 'run-started', ts: 1, runId: RUN_ID, command: 'check', root: ROOT, nodes: [node('lint')] });
    r.subscriber({
      type: 'node-finished',
      ts: 2,
      nodeId: 'lint',
      status: 'failed',
      durationMs: 1200,
      exitCode: 2,
      signal: null,
      reason: 'exit-code',
      message: 'exit code 2',
      attempts: 1,
    });
    expect(out.join('')).not.toContain('orchestra');
    expect(out.join('')).toMatch(/^✗ lint exit code 2 /);
  });

  it('result collector: the node is failed (not skipped) with reason and message kept', () => {
    const c = new ResultCollector();
    for (const e of crashedRun()) c.subscriber(e);
    const lint = c.run.results.find((r) => r.id === 'lint');
    expect(lint).toMatchObject({ status: 'failed', reason: 'internal', message: "Cannot read properties of undefined (reading 'argv')", durationMs: 5 });
    expect(lint?.skipReason).toBeUndefined();
    expect(c.run.results.find((r) => r.id === 'unit')).toMatchObject({ status: 'skipped', skipReason: 'needs lint, which failed' });
  });

  it('run summary: counts the node as failed and says it is a bug, pointing to the record', () => {
    const c = new ResultCollector();
    for (const e of crashedRun()) c.subscriber(e);
    const text = formatRunSummary(c.run, plain);
    expect(text).toContain(`✗ gate lint: ${BUG}: Cannot read properties of undefined (reading 'argv')\n  the stack is in the run's record, ${RECORD}`);
    expect(text).toContain('0 passed, 1 failed, 1 skipped');
  });
});

describe('exitCodeOf', () => {
  const result = (name: string, status: NodeResult['status'], reason?: NodeResult['reason']): NodeResult => ({
    id: name,
    name,
    kind: 'gate',
    status,
    durationMs: 0,
    exitCode: null,
    attempts: 1,
    findings: [],
    rounds: [],
    ...(reason ? { reason } : {}),
  });
  const run = (ok: boolean, interrupted: boolean, results: NodeResult[]): RunResults => ({
    runId: RUN_ID,
    command: 'check',
    root: ROOT,
    ok,
    interrupted,
    durationMs: 1,
    startedAt: 0,
    results,
  });

  it('is 0 when all held', () => {
    expect(exitCodeOf(run(true, false, [result('a', 'passed'), result('b', 'cached')]))).toBe(0);
    expect(exitCodeOf(run(true, false, []))).toBe(0);
  });

  it('is 1 when a gate or task failed, or the run is not ok', () => {
    expect(exitCodeOf(run(false, false, [result('a', 'failed', 'exit-code'), result('b', 'skipped')]))).toBe(1);
    expect(exitCodeOf(run(false, false, [result('a', 'failed', 'spawn-error')]))).toBe(1);
    expect(exitCodeOf(run(false, false, [result('a', 'passed')]))).toBe(1);
  });

  it('is 70 when a node failed because orchestra threw, whatever else failed', () => {
    expect(exitCodeOf(run(false, false, [result('a', 'failed', 'exit-code'), result('b', 'failed', 'internal'), result('c', 'skipped')]))).toBe(70);
  });

  it('is 130 when interrupted, before anything else', () => {
    expect(exitCodeOf(run(false, true, [result('a', 'failed', 'internal')]))).toBe(130);
    expect(exitCodeOf(run(false, true, [result('a', 'passed')]))).toBe(130);
  });

  it('is 70 for the results of a crashed run, as collected from its events', () => {
    const c = new ResultCollector();
    for (const e of crashedRun()) c.subscriber(e);
    expect(exitCodeOf(c.run)).toBe(70);
  });
});
