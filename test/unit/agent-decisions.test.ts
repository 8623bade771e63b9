import { describe, expect, it } from 'vitest';
import type { AgentOutcome } from '../../src/agents/types.js';
import { BACKOFF_MS, classifyAttempt, nextStep, type StepContext } from '../../src/run/agent-decisions.js';

const facts = { timedOut: false, interrupted: false, exitCode: 0, signal: null } as const;
const fail = (cls: 'transient' | 'environment' | 'final'): AgentOutcome => ({ ok: false, failure: { class: cls, reason: `a ${cls} failure` }, usage: {} });
const ctx = (over: Partial<StepContext> = {}): StepContext => ({
  attempt: 1,
  retries: 2,
  corrected: false,
  canCorrect: false,
  aborted: false,
  exitIsAnswer: false,
  ...over,
});

describe('classifyAttempt', () => {
  it('a timeout wins over what the agent printed, and keeps its usage', () => {
    const parsed: AgentOutcome = { ok: true, usage: { costUsd: 0.5 } };
    expect(classifyAttempt({ ...facts, timedOut: true, timeoutMs: 1000, parsed })).toEqual({
      ok: false,
      failure: { class: 'final', reason: 'timed out after 1000 ms' },
      usage: { costUsd: 0.5 },
    });
  });

  it('silence past idleTimeout is final, and says which setting stopped it', () => {
    expect(classifyAttempt({ ...facts, idle: true, idleTimeoutMs: 600_000, exitCode: null, signal: 'SIGTERM' })).toMatchObject({
      ok: false,
      failure: { class: 'final', reason: 'printed nothing for 10m, so it was stopped (idleTimeout in team.json)' },
    });
  });

  it("a command agent whose last lines say 401 is an auth failure, not a crash to retry; '401' further up is not", () => {
    expect(classifyAttempt({ ...facts, exitCode: 1, output: 'calling the API\nError: 401 Unauthorized\n' })).toMatchObject({
      failure: { class: 'environment', cause: 'auth', reason: 'exit code 1: Error: 401 Unauthorized' },
    });
    const long = ['line 401 of the log', ...Array.from({ length: 8 }, (_, i) => `step ${i}`)].join('\n');
    expect(classifyAttempt({ ...facts, exitCode: 1, output: long })).toMatchObject({ failure: { class: 'transient' } });
  });

  it('an interrupt is final', () => {
    expect(classifyAttempt({ ...facts, interrupted: true })).toMatchObject({ ok: false, failure: { class: 'final', reason: 'interrupted' } });
  });

  it("a builtin adapter's judgement stands, whatever the exit code", () => {
    const parsed = fail('environment');
    expect(classifyAttempt({ ...facts, exitCode: 0, parsed })).toBe(parsed);
  });

  it('a command that could not start is final; one that exited 0 succeeded; a crash is transient', () => {
    expect(classifyAttempt({ ...facts, spawnError: 'spawn x ENOENT', exitCode: null })).toMatchObject({
      failure: { class: 'final', reason: 'could not start: spawn x ENOENT' },
    });
    expect(classifyAttempt(facts)).toEqual({ ok: true, usage: {} });
    expect(classifyAttempt({ ...facts, exitCode: 3 })).toMatchObject({ failure: { class: 'transient', reason: 'exit code 3' } });
    expect(classifyAttempt({ ...facts, exitCode: null, signal: 'SIGKILL' })).toMatchObject({ failure: { class: 'transient', reason: 'killed by SIGKILL' } });
  });
});

describe('nextStep', () => {
  it('is done after a success, an abort, or a reviewer that answered with its exit code', () => {
    expect(nextStep({ ok: true, usage: {} }, ctx())).toEqual({ kind: 'done' });
    expect(nextStep(fail('transient'), ctx({ aborted: true }))).toEqual({ kind: 'done' });
    expect(nextStep(fail('transient'), ctx({ exitIsAnswer: true }))).toEqual({ kind: 'done' });
  });

  it('retries a transient failure with a doubling backoff, then gives up', () => {
    expect(nextStep(fail('transient'), ctx({ attempt: 1 }))).toEqual({ kind: 'retry', delayMs: BACKOFF_MS });
    expect(nextStep(fail('transient'), ctx({ attempt: 2 }))).toEqual({ kind: 'retry', delayMs: BACKOFF_MS * 2 });
    expect(nextStep(fail('transient'), ctx({ attempt: 3 }))).toEqual({ kind: 'done' });
    expect(nextStep(fail('transient'), ctx({ attempt: 1, retries: 0 }))).toEqual({ kind: 'done' });
  });

  it('corrects an environment failure once, only when the adapter knows how', () => {
    expect(nextStep(fail('environment'), ctx({ canCorrect: true }))).toEqual({ kind: 'correct' });
    expect(nextStep(fail('environment'), ctx({ canCorrect: true, corrected: true }))).toEqual({ kind: 'done' });
    expect(nextStep(fail('environment'), ctx({ canCorrect: false }))).toEqual({ kind: 'done' });
  });

  it('never retries a final failure', () => {
    expect(nextStep(fail('final'), ctx())).toEqual({ kind: 'done' });
  });
});
