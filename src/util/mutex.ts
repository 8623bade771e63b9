/**
 * One at a time: each piece of work starts when the ones before it have
 * ended, failed or not. git allows one writer per worktree (merges, fixes,
 * checkpoints), two `worktree add`s at once trip over each other, and two
 * `check_gate` calls would write the same cache entries.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
