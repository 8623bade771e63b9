import type { Agent, Team } from '../config/types.js';

/**
 * Who is free: each agent has `concurrency` slots. A task that names a role
 * goes to whichever agent with that role has a free slot first, so an idle
 * agent takes the next ready task at once.
 */
export class AgentSlots {
  readonly #busy = new Map<string, number>();
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly team: Team) {}

  candidates(ref: string): Agent[] {
    const direct = this.team.agents.filter((a) => a.id === ref);
    return direct.length ? direct : this.team.agents.filter((a) => a.roles.includes(ref));
  }

  async acquire(ref: string, signal: AbortSignal): Promise<Agent | undefined> {
    const pool = this.candidates(ref);
    if (pool.length === 0) return undefined;
    for (;;) {
      if (signal.aborted) return undefined;
      const free = pool.find((a) => (this.#busy.get(a.id) ?? 0) < a.concurrency);
      if (free) {
        this.#busy.set(free.id, (this.#busy.get(free.id) ?? 0) + 1);
        return free;
      }
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  release(agent: Agent): void {
    this.#busy.set(agent.id, Math.max(0, (this.#busy.get(agent.id) ?? 1) - 1));
    for (const wake of this.#waiting.splice(0)) wake();
  }
}

export { Mutex } from '../util/mutex.js';
