import type { EventOf } from './events.js';

/** One line for an agent's `check_gate` call, as the terminal, `logs` and the report say it. Pure. */
export function selfCheckText(e: Pick<EventOf<'self-check'>, 'ok' | 'gates'>): string {
  const failed = e.gates.filter((g) => g.status === 'failed').map((g) => g.name);
  const names = e.gates.map((g) => g.name).join(', ') || 'no gates';
  return e.ok ? `checked its own work with check_gate: passed (${names})` : `checked its own work with check_gate: failed (${failed.join(', ') || names})`;
}

/** What a task's agent did about checking its own work, from its calls in order. Pure. */
export function selfCheckSummary(calls: ReadonlyArray<{ readonly ok: boolean }>): string {
  if (calls.length === 0) return 'never called check_gate';
  const n = `${calls.length} check_gate ${calls.length === 1 ? 'call' : 'calls'}`;
  return `${n}, the last ${calls.at(-1)?.ok ? 'passed' : 'failed'}`;
}
