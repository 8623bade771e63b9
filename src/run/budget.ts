import type { Budget } from '../config/types.js';

/** What has been spent so far, for the run and for one phase. */
export interface Spending {
  readonly runStartedAt: number;
  readonly runUsd: number;
  /** Undefined until the phase's first agent started. */
  readonly phaseStartedAt?: number;
  readonly phaseUsd: number;
}

/**
 * Why no new agent may start, or undefined while both budgets hold. Minutes
 * count from the start of the run (or of the phase's first agent); cost is
 * what the CLIs reported. Pure.
 */
export function budgetSpent(phase: string, run: Budget | undefined, own: Budget | undefined, spent: Spending, now: number): string | undefined {
  if (run?.minutes !== undefined && now - spent.runStartedAt > run.minutes * 60_000) return `the run's budget of ${run.minutes} minutes is spent`;
  if (run?.usd !== undefined && spent.runUsd >= run.usd) return `the run's budget of $${run.usd} is spent ($${spent.runUsd.toFixed(4)})`;
  const phaseStart = spent.phaseStartedAt ?? now;
  if (own?.minutes !== undefined && now - phaseStart > own.minutes * 60_000) return `phase ${phase}'s budget of ${own.minutes} minutes is spent`;
  if (own?.usd !== undefined && spent.phaseUsd >= own.usd) return `phase ${phase}'s budget of $${own.usd} is spent ($${spent.phaseUsd.toFixed(4)})`;
  return undefined;
}

/** The run's spending as agents finish: the state `budgetSpent` judges. */
export class BudgetLedger {
  #runUsd = 0;
  readonly #phaseUsd = new Map<string, number>();
  readonly #phaseStarted = new Map<string, number>();

  constructor(
    private readonly runStartedAt: number,
    private readonly run: Budget | undefined,
    private readonly phases: ReadonlyMap<string, Budget | undefined>,
  ) {}

  /** Before an agent of `phase` starts: why it may not, or undefined. The phase's clock starts with its first agent. */
  check(phase: string, now = Date.now()): string | undefined {
    if (!this.#phaseStarted.has(phase)) this.#phaseStarted.set(phase, now);
    return budgetSpent(phase, this.run, this.phases.get(phase), this.spending(phase), now);
  }

  charge(phase: string, usd: number | undefined): void {
    if (!usd) return;
    this.#runUsd += usd;
    this.#phaseUsd.set(phase, (this.#phaseUsd.get(phase) ?? 0) + usd);
  }

  spending(phase: string): Spending {
    const phaseStartedAt = this.#phaseStarted.get(phase);
    return {
      runStartedAt: this.runStartedAt,
      runUsd: this.#runUsd,
      phaseUsd: this.#phaseUsd.get(phase) ?? 0,
      ...(phaseStartedAt !== undefined ? { phaseStartedAt } : {}),
    };
  }
}
