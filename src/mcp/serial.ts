/**
 * One at a time: each call starts when the ones before it have ended, failed
 * or not. Two `check_gate` calls at once would otherwise write the same cache
 * entries and share the worker pool's threads in whatever order they came.
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
