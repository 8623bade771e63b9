import type { RunsAgents } from './agent-request.js';
import { failureSignature, fixPrompt, type GateFailure } from './fix-prompt.js';
import type { WorkTree } from './integration-tree.js';
import type { NodeEnd } from './node-events.js';

/** What the fix loop works with, each behind a small interface so that a test can hand it fakes. */
export interface FixLoopDeps {
  readonly agents: RunsAgents;
  readonly tree: WorkTree;
  /** What fails now, from the phase gates' latest results. */
  failures(): GateFailure[];
  /** Runs every gate of the phase again, in order. */
  rerunGates(signal: AbortSignal): Promise<void>;
  /** Undefined: no reviewer, or it approved. */
  review(round: number, signal: AbortSignal): Promise<GateFailure | undefined>;
  /** A diff that fixed the same failure before. */
  earlierFix(failure: GateFailure): string | undefined;
  /**
   * After a round's commit, inside the tree's lock: why its change may not
   * stay (outside what the fix agent may touch), with the round undone;
   * undefined when it may.
   */
  checkRound(before: string): Promise<string | undefined>;
  /** Remembers the diff that made a failing gate pass. */
  learn(failure: GateFailure, diff: string): void;
  note(message: string): void;
  /** The fix prompt's template. */
  readonly template: string;
  /** What the fix agent may never change (told to CLIs that refuse such edits themselves; checkRound is what holds). */
  readonly forbid?: readonly string[];
}

export interface FixLoopSpec {
  readonly nodeId: string;
  readonly phase: string;
  readonly runId: string;
  /** The fix agent: an agent id or a role. */
  readonly agent: string;
  readonly attempts: number;
  readonly hasReview: boolean;
  /** What the phase's changes are diffed against. */
  readonly from: string;
}

/** Round N changed nothing about the failures: the same signature as before it. Pure. */
export function noProgress(previous: string | undefined, failing: readonly GateFailure[]): boolean {
  return previous !== undefined && failureSignature(failing) === previous;
}

/** The gates that failed before a round and pass after it (the reviewer is not a gate). Pure. */
export function healedBy(before: readonly GateFailure[], after: readonly GateFailure[]): GateFailure[] {
  return before.filter((f) => f.gate !== 'review' && !after.some((x) => x.gate === f.gate));
}

/**
 * The fix loop after a phase's gates: while something fails (a gate, or the
 * reviewer once the gates pass), hand the failures to the fix agent, commit
 * its change, run the gates again; stop when all hold, when a round changed
 * nothing about the failures, or when the attempts are spent.
 */
export async function runFixLoop(spec: FixLoopSpec, deps: FixLoopDeps, signal: AbortSignal): Promise<NodeEnd> {
  let failing = deps.failures();
  if (failing.length === 0) {
    const asked = await deps.review(0, signal);
    if (!asked) {
      deps.note(spec.hasReview ? 'every gate passed and the reviewer approved' : 'every gate passed: nothing to fix');
      return { status: 'passed' };
    }
    failing = [asked];
  }
  let previous: string | undefined;
  for (let round = 1; round <= spec.attempts; round++) {
    if (noProgress(previous, failing)) {
      return {
        status: 'failed',
        reason: 'exit-code',
        message: `no progress: round ${round - 1} left the same failures (${failing.map((f) => f.gate).join(', ')})`,
      };
    }
    previous = failureSignature(failing);
    // The whole round holds the integration tree: a merge from another phase landing between the
    // agent and the round's commit would be judged (and undone) as the fix agent's work.
    const { before, refused } = await deps.tree.exclusive(async () => {
      const start = await deps.tree.head();
      await fixRound(spec, deps, round, failing, signal);
      return { before: start, refused: signal.aborted ? undefined : await deps.checkRound(start) };
    });
    if (signal.aborted) return { status: 'failed', reason: 'interrupted', message: 'interrupted' };
    if (refused) return { status: 'failed', reason: 'exit-code', message: `round ${round}: ${refused}` };
    await deps.rerunGates(signal);
    const was = failing;
    failing = deps.failures();
    if (failing.length === 0) {
      const asked = await deps.review(round, signal);
      if (asked) failing = [asked];
    }
    await learnFrom(deps, healedBy(was, failing), before);
    if (failing.length === 0) {
      deps.note(`round ${round} made every gate pass${spec.hasReview ? ' and the reviewer approved' : ''}`);
      return { status: 'passed' };
    }
  }
  const rounds = `${spec.attempts} ${spec.attempts === 1 ? 'round' : 'rounds'}`;
  return { status: 'failed', reason: 'exit-code', message: `gates still fail after ${rounds}: ${failing.map((f) => f.gate).join(', ')}` };
}

/** One round, inside the tree's lock: the prompt (failures, earlier fixes, the phase's diff), a clean tree, the fix agent, a commit of what it changed. */
async function fixRound(spec: FixLoopSpec, deps: FixLoopDeps, round: number, failing: readonly GateFailure[], signal: AbortSignal): Promise<void> {
  const diff = await deps.tree.diff(spec.from, 'HEAD');
  const withHistory = failing.map((f) => {
    const earlier = deps.earlierFix(f);
    return earlier ? { ...f, earlierFix: earlier } : f;
  });
  const prompt = fixPrompt(deps.template, spec.phase, round, spec.attempts, withHistory, diff);
  await deps.tree.clean();
  const { outcome } = await deps.agents.run({
    nodeId: `${spec.nodeId}#${round}`,
    ref: spec.agent,
    phase: spec.phase,
    label: `fix-${round}`,
    prompt,
    cwd: deps.tree.dir,
    ...(deps.forbid ? { forbid: deps.forbid } : {}),
    signal,
  });
  if (!outcome.ok) deps.note(`round ${round}: the fix agent failed (${outcome.failure?.reason ?? 'failed'})`);
  await deps.tree.commit(`orchestra(${spec.phase}): fix round ${round}\n\nrun: ${spec.runId}`);
}

/** The round's diff, remembered for each gate it healed. */
async function learnFrom(deps: FixLoopDeps, healed: readonly GateFailure[], before: string): Promise<void> {
  if (healed.length === 0) return;
  const diff = await deps.tree.diff(before, 'HEAD');
  if (diff.trim()) for (const f of healed) deps.learn(f, diff);
}
