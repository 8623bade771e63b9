import { describe, expect, it } from 'vitest';
import { BudgetLedger, budgetSpent } from '../../src/run/budget.js';

const MIN = 60_000;

describe('budgetSpent', () => {
  const spent = { runStartedAt: 0, runUsd: 0, phaseUsd: 0 };

  it('holds while no limit is reached, or none is set', () => {
    expect(budgetSpent('p', undefined, undefined, spent, 100 * MIN)).toBeUndefined();
    expect(budgetSpent('p', { minutes: 10, usd: 1 }, { minutes: 5, usd: 0.5 }, { ...spent, phaseStartedAt: 0 }, 4 * MIN)).toBeUndefined();
  });

  it("names the run's minutes, then the run's dollars", () => {
    expect(budgetSpent('p', { minutes: 10 }, undefined, spent, 10 * MIN + 1)).toBe("the run's budget of 10 minutes is spent");
    expect(budgetSpent('p', { usd: 1 }, undefined, { ...spent, runUsd: 1 }, 0)).toBe("the run's budget of $1 is spent ($1.0000)");
  });

  it("counts a phase's minutes from its own start, and its own dollars", () => {
    expect(budgetSpent('p', undefined, { minutes: 5 }, { ...spent, phaseStartedAt: 20 * MIN }, 24 * MIN)).toBeUndefined();
    expect(budgetSpent('p', undefined, { minutes: 5 }, { ...spent, phaseStartedAt: 20 * MIN }, 25 * MIN + 1)).toBe("phase p's budget of 5 minutes is spent");
    expect(budgetSpent('p', undefined, { usd: 0.25 }, { ...spent, phaseUsd: 0.3 }, 0)).toBe("phase p's budget of $0.25 is spent ($0.3000)");
  });

  it('a phase that has not started has spent no minutes', () => {
    expect(budgetSpent('p', undefined, { minutes: 1 }, spent, 100 * MIN)).toBeUndefined();
  });
});

describe('BudgetLedger', () => {
  it('charges the run and the phase, and refuses once either is spent', () => {
    const ledger = new BudgetLedger(0, { usd: 1 }, new Map([['a', { usd: 0.5 }]]));
    expect(ledger.check('a', 0)).toBeUndefined();
    ledger.charge('a', 0.5);
    expect(ledger.check('a', 0)).toBe("phase a's budget of $0.5 is spent ($0.5000)");
    expect(ledger.check('b', 0)).toBeUndefined();
    ledger.charge('b', 0.5);
    expect(ledger.check('b', 0)).toBe("the run's budget of $1 is spent ($1.0000)");
    expect(ledger.spending('a')).toEqual({ runStartedAt: 0, runUsd: 1, phaseUsd: 0.5, phaseStartedAt: 0 });
  });

  it("starts a phase's clock at its first check", () => {
    const ledger = new BudgetLedger(0, undefined, new Map([['a', { minutes: 1 }]]));
    expect(ledger.check('a', 10 * MIN)).toBeUndefined();
    expect(ledger.check('a', 11 * MIN - 1)).toBeUndefined();
    expect(ledger.check('a', 11 * MIN + 1)).toBe("phase a's budget of 1 minutes is spent");
  });

  it('ignores a missing or zero cost', () => {
    const ledger = new BudgetLedger(0, { usd: 0.01 }, new Map());
    ledger.charge('a', undefined);
    ledger.charge('a', 0);
    expect(ledger.check('a', 0)).toBeUndefined();
  });
});
