import { describe, expect, it } from 'vitest';
import type { AgentRequest, AgentResult, RunsAgents } from '../../src/run/agent-request.js';
import { healedBy, noProgress, runFixLoop, type FixLoopDeps, type FixLoopSpec } from '../../src/run/fix-loop.js';
import { failureSignature, type GateFailure } from '../../src/run/fix-prompt.js';
import type { WorkTree } from '../../src/run/integration-tree.js';
import { escapingLinks, fixScope, scopeViolations } from '../../src/run/scope.js';
import { GateOutcomes } from '../../src/run/gate-outcomes.js';
import type { GateNode } from '../../src/graph/types.js';

const failure = (gate: string, tail = 'boom'): GateFailure => ({ gate, command: `run ${gate}`, exitCode: 1, message: 'exit code 1', findings: [], tail });

/**
 * A phase in memory: which gates fail now, a fix agent whose each round is a
 * function of the prompt it gets, and a tree whose commits are counted.
 */
class FakePhase {
  failing = new Set<string>();
  readonly requests: AgentRequest[] = [];
  readonly notes: string[] = [];
  readonly learned: Array<{ gate: string; diff: string }> = [];
  readonly commits: string[] = [];
  gateRuns = 0;
  /** What checkRound answers after each round (undefined: the round may stay). */
  refusals: Array<string | undefined> = [];
  reviews: Array<GateFailure | undefined> = [];
  /** What each fix round does to the failing set. */
  rounds: Array<(failing: Set<string>) => void> = [];

  readonly agents: RunsAgents = {
    run: async (req: AgentRequest): Promise<AgentResult> => {
      this.requests.push(req);
      this.rounds[this.requests.length - 1]?.(this.failing);
      return { outcome: { ok: true, usage: {} }, tail: '' };
    },
  };

  readonly tree: WorkTree = {
    dir: '/integration',
    exclusive: (work) => work(),
    clean: async () => undefined,
    commit: async (message) => void this.commits.push(message),
    head: async () => `c${this.commits.length}`,
    diff: async (from, to) => `diff ${from}..${to}`,
  };

  deps(over: Partial<FixLoopDeps> = {}): FixLoopDeps {
    return {
      agents: this.agents,
      tree: this.tree,
      template: '{{failures}}\n--\n{{diff}}',
      failures: () => [...this.failing].sort().map((g) => failure(g)),
      rerunGates: async () => void this.gateRuns++,
      review: async (round) => this.reviews[round],
      earlierFix: (f) => (f.gate === 'known' ? 'the diff that fixed it before' : undefined),
      learn: (f, diff) => void this.learned.push({ gate: f.gate, diff }),
      checkRound: async () => this.refusals[this.requests.length - 1],
      note: (m) => void this.notes.push(m),
      ...over,
    };
  }
}

const spec: FixLoopSpec = { nodeId: 'fix:p', phase: 'p', runId: 'r', agent: 'fixer', attempts: 3, hasReview: false, from: 'base' };
const signal = new AbortController().signal;

describe('runFixLoop', () => {
  it('passes at once when every gate passed and there is no reviewer: no agent runs', async () => {
    const phase = new FakePhase();
    expect(await runFixLoop(spec, phase.deps(), signal)).toEqual({ status: 'passed' });
    expect(phase.requests).toEqual([]);
    expect(phase.notes).toEqual(['every gate passed: nothing to fix']);
  });

  it('hands the failures to the fix agent, commits its round, re-runs the gates, and learns the diff that healed a gate', async () => {
    const phase = new FakePhase();
    phase.failing = new Set(['lint', 'unit']);
    phase.rounds = [(f) => f.delete('lint'), (f) => f.delete('unit')];
    const end = await runFixLoop(spec, phase.deps(), signal);
    expect(end).toEqual({ status: 'passed' });
    expect(phase.requests.map((r) => [r.nodeId, r.ref, r.label, r.cwd])).toEqual([
      ['fix:p#1', 'fixer', 'fix-1', '/integration'],
      ['fix:p#2', 'fixer', 'fix-2', '/integration'],
    ]);
    expect(phase.requests[0]?.prompt).toContain('## gate lint');
    expect(phase.requests[0]?.prompt).toContain('## gate unit');
    expect(phase.requests[0]?.prompt).toContain('diff base..HEAD');
    expect(phase.requests[1]?.prompt).not.toContain('## gate lint');
    expect(phase.commits).toEqual(['orchestra(p): fix round 1\n\nrun: r', 'orchestra(p): fix round 2\n\nrun: r']);
    expect(phase.gateRuns).toBe(2);
    // Each round's own diff, from the commit before it.
    expect(phase.learned).toEqual([
      { gate: 'lint', diff: 'diff c0..HEAD' },
      { gate: 'unit', diff: 'diff c1..HEAD' },
    ]);
    expect(phase.notes).toEqual(['round 2 made every gate pass']);
  });

  it('stops with "no progress" when a round leaves the same failures', async () => {
    const phase = new FakePhase();
    phase.failing = new Set(['unit']);
    const end = await runFixLoop(spec, phase.deps(), signal);
    expect(end).toEqual({ status: 'failed', reason: 'exit-code', message: 'no progress: round 1 left the same failures (unit)' });
    expect(phase.requests).toHaveLength(1);
  });

  it('gives up after the last round, naming what still fails', async () => {
    const phase = new FakePhase();
    phase.failing = new Set(['a']);
    // Each round trades one failure for another: progress, but never done.
    phase.rounds = [(f) => (f.clear(), f.add('b')), (f) => (f.clear(), f.add('c')), (f) => (f.clear(), f.add('d'))];
    const end = await runFixLoop(spec, phase.deps(), signal);
    expect(end).toEqual({ status: 'failed', reason: 'exit-code', message: 'gates still fail after 3 rounds: d' });
    expect(phase.requests).toHaveLength(3);
  });

  it('shows an earlier fix of the same failure in the prompt', async () => {
    const phase = new FakePhase();
    phase.failing = new Set(['known']);
    phase.rounds = [(f) => f.clear()];
    await runFixLoop(spec, phase.deps(), signal);
    expect(phase.requests[0]?.prompt).toContain('the diff that fixed it before');
  });

  it("sends the reviewer's changes to the fix agent once the gates pass, then passes on approval", async () => {
    const phase = new FakePhase();
    phase.reviews = [failure('review', 'rename x to y'), undefined];
    const end = await runFixLoop({ ...spec, hasReview: true }, phase.deps(), signal);
    expect(end).toEqual({ status: 'passed' });
    expect(phase.requests).toHaveLength(1);
    expect(phase.requests[0]?.prompt).toContain('rename x to y');
    // The reviewer is not a gate: nothing is learned from its round.
    expect(phase.learned).toEqual([]);
    expect(phase.notes).toEqual(['round 1 made every gate pass and the reviewer approved']);
  });

  it('stops when interrupted after a round, without running the gates again', async () => {
    const phase = new FakePhase();
    phase.failing = new Set(['unit']);
    const abort = new AbortController();
    phase.rounds = [() => abort.abort()];
    expect(await runFixLoop(spec, phase.deps(), abort.signal)).toEqual({ status: 'failed', reason: 'interrupted', message: 'interrupted' });
    expect(phase.gateRuns).toBe(0);
  });

  it('notes a fix agent that failed, and goes on to the gates', async () => {
    const phase = new FakePhase();
    phase.failing = new Set(['unit']);
    const agents: RunsAgents = { run: async () => ({ outcome: { ok: false, failure: { class: 'final', reason: 'max turns' }, usage: {} }, tail: '' }) };
    await runFixLoop({ ...spec, attempts: 1 }, phase.deps({ agents }), signal);
    expect(phase.notes).toContain('round 1: the fix agent failed (max turns)');
    expect(phase.gateRuns).toBe(1);
  });
});

describe('the fix agent’s scope', () => {
  it('a round outside what the fix agent may touch fails the fix node, and the gates are not run on it', async () => {
    const phase = new FakePhase();
    phase.failing = new Set(['unit']);
    phase.refusals = ['the fix agent changed files outside what it may touch, so its round was undone: .env (forbidden)'];
    const end = await runFixLoop(spec, phase.deps(), signal);
    expect(end).toEqual({
      status: 'failed',
      reason: 'exit-code',
      message: 'round 1: the fix agent changed files outside what it may touch, so its round was undone: .env (forbidden)',
    });
    expect(phase.gateRuns).toBe(0);
  });

  it('fixScope: the union of the tasks’ touch globs (open when one task is), their forbids, and never the config or team', () => {
    const scope = (touch: string[], forbid: string[] = []) => ({ scope: { touch, forbid } });
    expect(fixScope([scope(['app/**']), scope(['tests/**'], ['app/secret.py'])], ['orchestra.config.yaml', 'team.json'])).toEqual({
      touch: ['app/**', 'tests/**'],
      forbid: ['app/secret.py', 'orchestra.config.yaml', 'team.json'],
    });
    expect(fixScope([scope(['app/**']), scope([])], ['orchestra.config.yaml']).touch).toEqual([]);
    expect(
      scopeViolations(['orchestra.config.yaml', 'docs/x.md', 'app/a.py', '.env'], fixScope([scope(['app/**'])], ['orchestra.config.yaml'])).map((v) => v.path),
    ).toEqual(['orchestra.config.yaml', 'docs/x.md', '.env']);
  });

  it('escapingLinks: a link that climbs out of the repository or is absolute, not one that stays inside', () => {
    expect(
      escapingLinks([
        { path: 'src/notes.txt', target: '../../../../../outside.txt' },
        { path: 'src/abs', target: '/etc/passwd' },
        { path: 'src/ok', target: '../README.md' },
        { path: 'top', target: '..' },
      ]).map((l) => l.path),
    ).toEqual(['src/notes.txt', 'src/abs', 'top']);
  });
});

describe('fix loop decisions', () => {
  it('noProgress compares failure signatures, ignoring numbers that change between runs', () => {
    expect(noProgress(undefined, [failure('a')])).toBe(false);
    expect(noProgress(failureSignature([failure('a', 'took 12 ms')]), [failure('a', 'took 40 ms')])).toBe(true);
    expect(noProgress(failureSignature([failure('a', 'x')]), [failure('a', 'y')])).toBe(false);
    expect(noProgress(failureSignature([failure('a')]), [failure('a'), failure('b')])).toBe(false);
  });

  it('healedBy lists gates that failed before and pass after, never the reviewer', () => {
    expect(healedBy([failure('a'), failure('b'), failure('review')], [failure('b')]).map((f) => f.gate)).toEqual(['a']);
  });
});

describe('GateOutcomes', () => {
  it('the fix loop learns what failed from the gates’ own events: the latest run of each, with its findings', () => {
    const gate = (name: string) =>
      ({
        id: `gate:p/${name}`,
        kind: 'gate',
        name,
        phase: 'p',
        loc: { file: 'x', start: 0, end: 0 },
        gate: { name, run: { argv: ['pytest', '-q'] } },
      }) as unknown as GateNode;
    const nodes = [gate('unit'), gate('lint')];
    const outcomes = new GateOutcomes(new Map(nodes.map((n) => [n.id, n])));
    const finding = { rule: 'r', file: 'a.py', line: 1, column: 1, endLine: 1, endColumn: 2, severity: 'error', message: 'm' } as const;
    const finished = (nodeId: string, status: 'passed' | 'failed', tail: string) =>
      outcomes.subscriber({
        type: 'node-finished',
        ts: 0,
        nodeId,
        status,
        durationMs: 1,
        exitCode: status === 'failed' ? 1 : 0,
        signal: null,
        attempts: 1,
        tail,
        message: status === 'failed' ? 'exit code 1' : undefined,
      });
    outcomes.subscriber({ type: 'node-started', ts: 0, nodeId: 'gate:p/unit', attempt: 1 });
    outcomes.subscriber({ type: 'finding', ts: 0, nodeId: 'gate:p/unit', finding });
    finished('gate:p/unit', 'failed', '1 failed');
    outcomes.subscriber({ type: 'node-started', ts: 0, nodeId: 'gate:p/lint', attempt: 1 });
    finished('gate:p/lint', 'passed', '');
    // Another node's events are not a gate's.
    outcomes.subscriber({ type: 'finding', ts: 0, nodeId: 'task:p/t', finding });
    expect(outcomes.failures(nodes)).toEqual([
      { gate: 'unit', command: 'pytest -q', exitCode: 1, message: 'exit code 1', findings: [finding], tail: '1 failed' },
    ]);
    // Run again and passed: nothing fails any more, and the old findings are gone.
    outcomes.subscriber({ type: 'node-started', ts: 0, nodeId: 'gate:p/unit', attempt: 1 });
    finished('gate:p/unit', 'passed', '');
    expect(outcomes.failures(nodes)).toEqual([]);
  });
});
