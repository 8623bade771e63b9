import type { FinishedStatus } from '../../src/events/events.js';
import type { Outcome } from '../../src/exec/scheduler.js';

/** A promise with its resolve and reject in hand. */
export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

const ignore = (): void => undefined;

/**
 * Fake node runners in the style of Wireit's test commands: a node that the
 * scheduler starts does nothing until the test releases it (`release`, with
 * an outcome) or makes it throw (`crash`). Which nodes have started is state
 * the test reads; nothing here sleeps or uses a timer.
 *
 * `release` and `crash` resolve once the scheduler has reacted to the node's
 * end (started what it could, skipped what it must): the scheduler attached
 * its handlers to the node's promise when it started the node, before the
 * test could, and a promise runs its handlers in the order they were attached,
 * so a handler attached after settling runs after the scheduler's, and the
 * scheduler does everything that follows an end synchronously in its handler.
 */
export class FakeNodes {
  /** Every start, in order (a node started twice appears twice). */
  readonly started: string[] = [];
  /** The most nodes that were running at the same time. */
  maxRunning = 0;
  readonly #pending = new Map<string, Deferred<Outcome>>();
  readonly #signals = new Map<string, AbortSignal>();
  readonly #startWaiters = new Map<string, Deferred<void>>();

  /** What the scheduler calls to run a node. */
  readonly run = (id: string, signal: AbortSignal): Promise<Outcome> => {
    this.started.push(id);
    const d = new Deferred<Outcome>();
    this.#pending.set(id, d);
    this.#signals.set(id, signal);
    this.maxRunning = Math.max(this.maxRunning, this.#pending.size);
    this.#startWaiters.get(id)?.resolve();
    return d.promise;
  };

  /** The nodes started and not yet released or crashed, sorted. */
  get running(): string[] {
    return [...this.#pending.keys()].sort();
  }

  /** The nodes started so far, sorted. */
  get startedSet(): string[] {
    return [...this.started].sort();
  }

  /** The signal the scheduler gave a node when it started it. */
  signalOf(id: string): AbortSignal {
    const s = this.#signals.get(id);
    if (!s) throw new Error(`${id} never started`);
    return s;
  }

  /** Resolves once `id` has started (at once if it already has). */
  whenStarted(id: string): Promise<void> {
    if (this.started.includes(id)) return Promise.resolve();
    let d = this.#startWaiters.get(id);
    if (!d) {
      d = new Deferred<void>();
      this.#startWaiters.set(id, d);
    }
    return d.promise;
  }

  /** Ends a running node with an outcome (default: passed); resolves once the scheduler has reacted. */
  async release(id: string, outcome: FinishedStatus | Outcome = 'passed'): Promise<void> {
    const d = this.#take(id);
    d.resolve(typeof outcome === 'string' ? { status: outcome } : outcome);
    await d.promise.then(ignore, ignore);
  }

  /** Makes a running node's promise reject with `error` (a bug in orchestra); resolves once the scheduler has reacted. */
  async crash(id: string, error: unknown): Promise<void> {
    const d = this.#take(id);
    d.reject(error);
    await d.promise.then(ignore, ignore);
  }

  #take(id: string): Deferred<Outcome> {
    const d = this.#pending.get(id);
    if (!d) throw new Error(`${id} is not running (started: ${this.started.join(', ') || 'none'})`);
    this.#pending.delete(id);
    return d;
  }
}
