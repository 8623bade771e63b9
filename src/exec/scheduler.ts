import type { EventBus, EventOf, FailReason, FinishedStatus, NodeStatus } from '../events/events.js';

export interface SchedulerNode {
  readonly id: string;
  readonly needs: readonly string[];
}

export interface Outcome {
  readonly status: FinishedStatus;
  readonly reason?: FailReason;
}

export interface SchedulerOptions {
  readonly concurrency: number;
  /** Run everything that does not depend on a failure (default: start nothing new after one). */
  readonly keepGoing: boolean;
  /** Aborting stops new starts; running nodes are told through the signal passed to `run`. */
  readonly signal: AbortSignal;
  readonly onSkip: (id: string, reason: string) => void;
  /**
   * A node threw (or its promise rejected): a bug in orchestra, not a failed
   * gate or task. Called once, before the node is settled as failed with
   * reason 'internal', so that it is seen, never silently skipped.
   */
  readonly onCrash: (id: string, error: unknown, durationMs: number) => void;
  /** How a node is named in a skip reason. */
  readonly label?: (id: string) => string;
}

/**
 * Walks a DAG with a ready queue: a node starts as soon as all it needs has
 * succeeded (passed or cached) and a slot is free; no waves with barriers.
 * `run` does the work and reports how it went; this function only decides
 * what starts when, and which nodes are skipped and why. An exception from
 * `run` is a bug: it is reported through `onCrash` and the node fails with
 * reason 'internal' (its dependents are skipped as after any failure).
 * Resolves once nothing runs and nothing more will start; rejects only if the
 * scheduler's own callbacks throw.
 */
export async function schedule(
  nodes: readonly SchedulerNode[],
  run: (id: string, signal: AbortSignal) => Promise<Outcome>,
  options: SchedulerOptions,
): Promise<Map<string, NodeStatus>> {
  const status = new Map<string, NodeStatus>();
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of nodes) {
    waiting.set(n.id, n.needs.length);
    for (const need of n.needs) {
      const list = dependents.get(need);
      if (list) list.push(n.id);
      else dependents.set(need, [n.id]);
    }
  }
  const ready: string[] = nodes.filter((n) => n.needs.length === 0).map((n) => n.id);
  let running = 0;
  let stopping = false;
  let stopReason = '';

  const skip = (id: string, reason: string): void => {
    if (status.has(id)) return;
    status.set(id, 'skipped');
    options.onSkip(id, reason);
  };
  const skipDependents = (id: string, reason: string): void => {
    const stack = [...(dependents.get(id) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (status.has(next)) continue;
      skip(next, reason);
      stack.push(...(dependents.get(next) ?? []));
    }
  };

  return new Promise((resolve, reject) => {
    const finishIfDone = (): void => {
      if (running > 0) return;
      if (ready.length > 0 && !stopping) return;
      // Whatever never started was stopped by a failure or an interrupt.
      for (const n of nodes) skip(n.id, stopReason || 'not reached');
      resolve(status);
    };
    const pump = (): void => {
      if (options.signal.aborted && !stopping) {
        stopping = true;
        stopReason = 'interrupted';
      }
      while (!stopping && running < options.concurrency && ready.length > 0) {
        const id = ready.shift() as string;
        running++;
        const started = Date.now();
        let work: Promise<Outcome>;
        try {
          work = run(id, options.signal);
        } catch (error) {
          work = Promise.reject(error);
        }
        work
          .then(
            (outcome) => settle(id, outcome),
            (error: unknown) => {
              try {
                options.onCrash(id, error, Date.now() - started);
              } finally {
                settle(id, { status: 'failed', reason: 'internal' });
              }
            },
          )
          .catch(reject);
      }
      finishIfDone();
    };
    const settle = (id: string, outcome: Outcome): void => {
      running--;
      status.set(id, outcome.status);
      if (outcome.status === 'failed') {
        const name = options.label ? options.label(id) : id;
        skipDependents(id, `needs ${name}, which failed`);
        if (!options.keepGoing && !stopping) {
          stopping = true;
          stopReason = options.signal.aborted ? 'interrupted' : `stopped after ${name} failed (--keep-going runs the rest)`;
        }
      } else {
        for (const next of dependents.get(id) ?? []) {
          const left = (waiting.get(next) ?? 0) - 1;
          waiting.set(next, left);
          if (left === 0 && !status.has(next)) ready.push(next);
        }
      }
      pump();
    };
    options.signal.addEventListener('abort', pump, { once: true });
    pump();
  });
}

export interface Walked {
  readonly statuses: Map<string, NodeStatus>;
  readonly counts: Record<NodeStatus, number>;
  /** Every node passed or was cached, and nothing interrupted the walk. */
  readonly ok: boolean;
  readonly interrupted: boolean;
}

/**
 * `schedule`, with skips and crashes reported as events and the outcome
 * counted: what `check` and `run` share. A node that threw gets a
 * node-finished event (failed, reason 'internal', the error's message and
 * stack), like Wireit's `convertExceptionToFailure`.
 */
export async function walk(
  nodes: readonly SchedulerNode[],
  run: (id: string, signal: AbortSignal) => Promise<Outcome>,
  options: Omit<SchedulerOptions, 'onSkip' | 'onCrash'> & { readonly bus: EventBus },
): Promise<Walked> {
  const statuses = await schedule(nodes, run, {
    ...options,
    onSkip: (nodeId, reason) => options.bus.emit({ type: 'node-skipped', ts: Date.now(), nodeId, reason }),
    onCrash: (nodeId, error, durationMs) => options.bus.emit(crashEvent(nodeId, error, durationMs)),
  });
  const counts: Record<NodeStatus, number> = { passed: 0, failed: 0, cached: 0, skipped: 0 };
  for (const s of statuses.values()) counts[s]++;
  const interrupted = options.signal.aborted;
  return { statuses, counts, interrupted, ok: !interrupted && counts.failed === 0 && counts.skipped === 0 };
}

/** The node-finished event of a node that threw: failed, reason 'internal', with the error's message and (in the record) its stack. */
export function crashEvent(nodeId: string, error: unknown, durationMs: number, ts = Date.now()): EventOf<'node-finished'> {
  const message = error instanceof Error ? error.message || String(error) : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  return {
    type: 'node-finished',
    ts,
    nodeId,
    status: 'failed',
    durationMs,
    exitCode: null,
    signal: null,
    reason: 'internal',
    message,
    ...(stack !== undefined ? { stack } : {}),
    attempts: 1,
  };
}
