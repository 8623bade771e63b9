import { ADAPTERS } from '../agents/adapters/index.js';
import { classifyText, type AgentOutcome } from '../agents/types.js';
import type { Agent } from '../config/types.js';
import { formatDuration } from '../config/duration.js';
import { unreachable } from '../util/unreachable.js';

/** What one agent process did, as the executor saw it: the facts a decision needs, nothing else. */
export interface AttemptFacts {
  readonly timedOut: boolean;
  readonly timeoutMs?: number;
  /** Stopped by the silence watchdog. */
  readonly idle?: boolean;
  readonly idleTimeoutMs?: number;
  readonly interrupted: boolean;
  /** Its adapter's judgement, for a `use:` agent. */
  readonly parsed?: AgentOutcome;
  readonly spawnError?: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The last of what it printed, for a plain command agent's failure. */
  readonly output?: string;
}

/** The last non-empty line, cut short: what a person needs to see of a failure. */
function lastWords(output: string): string {
  return (output.trim().split('\n').at(-1) ?? '').slice(0, 300);
}

/**
 * How an attempt went. A timeout or an interrupt overrides what the agent
 * printed; a builtin adapter's judgement comes next; a plain command agent is
 * judged by its exit: a crash may well succeed on a second try. Pure.
 */
export function classifyAttempt(a: AttemptFacts): AgentOutcome {
  if (a.timedOut) return { ok: false, failure: { class: 'final', reason: `timed out after ${a.timeoutMs} ms` }, usage: a.parsed?.usage ?? {} };
  if (a.idle) {
    const reason = `printed nothing for ${formatDuration(a.idleTimeoutMs ?? 0)}, so it was stopped (idleTimeout in team.json)`;
    return { ok: false, failure: { class: 'final', reason }, usage: a.parsed?.usage ?? {} };
  }
  if (a.interrupted) return { ok: false, failure: { class: 'final', reason: 'interrupted' }, usage: a.parsed?.usage ?? {} };
  if (a.parsed) return a.parsed;
  if (a.spawnError !== undefined) return { ok: false, failure: { class: 'final', reason: `could not start: ${a.spawnError}` }, usage: {} };
  if (a.exitCode === 0) return { ok: true, usage: {} };
  const reason = a.exitCode === null ? `killed by ${a.signal}` : `exit code ${a.exitCode}`;
  // A crash may well succeed on a second try; a refused login never will.
  const judged = a.output !== undefined ? classifyText(a.output.trim().split('\n').slice(-5).join('\n')) : undefined;
  if (judged?.cause === 'auth') return { ok: false, failure: { ...judged, reason: `${reason}: ${lastWords(a.output ?? '')}` }, usage: {} };
  return { ok: false, failure: { class: 'transient', reason }, usage: {} };
}

export type NextStep =
  /** Done: the outcome stands (a success, or a failure no retry will help). */
  | { readonly kind: 'done' }
  /** A transient failure: reset the worktree, wait, and start the same command line again. */
  | { readonly kind: 'retry'; readonly delayMs: number }
  /** An environment failure the adapter knows how to fix: start once more with its corrected command line. */
  | { readonly kind: 'correct' };

export interface StepContext {
  /** 1-based: the attempt that just ended. */
  readonly attempt: number;
  /** Transient failures retried at most this many times. */
  readonly retries: number;
  /** The command line was corrected once already. */
  readonly corrected: boolean;
  /** The adapter offers a corrected command line for this failure. */
  readonly canCorrect: boolean;
  readonly aborted: boolean;
  /** A reviewer that is a plain command answers with its exit code: any exit is an answer, not a crash. */
  readonly exitIsAnswer: boolean;
}

export const BACKOFF_MS = 200;

/** What to do after an attempt. Pure. */
export function nextStep(outcome: AgentOutcome, ctx: StepContext): NextStep {
  if (outcome.ok || ctx.aborted || ctx.exitIsAnswer || !outcome.failure) return { kind: 'done' };
  const cls = outcome.failure.class;
  switch (cls) {
    case 'transient':
      return ctx.attempt <= ctx.retries ? { kind: 'retry', delayMs: BACKOFF_MS * 2 ** (ctx.attempt - 1) } : { kind: 'done' };
    case 'environment':
      return ctx.canCorrect && !ctx.corrected ? { kind: 'correct' } : { kind: 'done' };
    case 'final':
      return { kind: 'done' };
    default:
      return unreachable(cls);
  }
}

/** An auth failure says how this agent logs in. Pure. */
export function withHint(agent: Pick<Agent, 'use'>, outcome: AgentOutcome): AgentOutcome {
  if (outcome.failure?.cause !== 'auth') return outcome;
  const hint = agent.use ? ADAPTERS[agent.use].loginHint : "check the credentials in the agent's env in team.json";
  return { ...outcome, failure: { ...outcome.failure, reason: `${outcome.failure.reason} (to fix: ${hint})` } };
}
