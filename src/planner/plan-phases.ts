import type { Phase } from '../config/types.js';
import { phaseNeeds } from '../graph/compile.js';

/**
 * The phases a plan runs: its own and those they need (a planner may build
 * on a phase of the config), following `needs` only. Scope orderings against
 * the config's other phases do not pull those in: they run only when they run
 * together. Pure.
 */
export function planPhasesClosure(phases: readonly Phase[], planned: readonly string[]): string[] {
  const needs = phaseNeeds(phases);
  const out = new Set<string>();
  const stack = [...planned];
  while (stack.length) {
    const id = stack.pop() as string;
    if (out.has(id)) continue;
    out.add(id);
    for (const e of needs.get(id) ?? []) stack.push(e.to);
  }
  return phases.map((p) => p.id).filter((id) => out.has(id));
}
