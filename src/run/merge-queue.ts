/**
 * A phase's merge queue: task branches reach the integration branch one at a
 * time, in the order the tasks are listed, whatever order their agents end
 * in; so the same work always meets the same conflicts. A task that fails
 * before merging still takes its turn (to pass it on). It also remembers what
 * was merged, for a conflict prompt's "the other work".
 */
export class MergeQueue {
  readonly #turns: Array<{ done: Promise<void>; release: () => void }>;
  readonly #merged: Array<{ id: string; prompt: string }> = [];

  constructor(size: number) {
    this.#turns = Array.from({ length: size }, () => {
      let release = (): void => undefined;
      const done = new Promise<void>((r) => (release = r));
      return { done, release };
    });
  }

  /** Waits until every task listed before `index` has merged or given up its turn. */
  async turn(index: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const before = this.#turns.slice(0, index).map((t) => t.done);
    // The listener goes when the turn comes: fifty waiting tasks must not leave fifty
    // listeners on the run's one signal (Node warns past ten, and they would pile up).
    let onAbort = (): void => undefined;
    const aborted = new Promise<void>((r) => {
      onAbort = () => r();
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([Promise.all(before), aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** This task's turn is over (merged or not); `merged`: what it was, for later conflicts. */
  done(index: number, merged?: { id: string; prompt: string }): void {
    if (merged) this.#merged.push(merged);
    this.#turns[index]?.release();
  }

  /** The tasks merged so far, in order. */
  get merged(): ReadonlyArray<{ id: string; prompt: string }> {
    return this.#merged;
  }
}
