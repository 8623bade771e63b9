import type { EventBus, FailReason, FinishedStatus } from '../events/events.js';
import type { Outcome } from '../exec/scheduler.js';

/** How a node ended, as its step tells it. */
export interface NodeEnd {
  readonly status: FinishedStatus;
  readonly reason?: FailReason;
  readonly message?: string;
  readonly tail?: string;
  readonly exitCode?: number | null;
  /** How many times its agent was started, when it has one. */
  readonly attempts?: number;
}

/** The events a run's node emits, in one place: started, a note, finished (with its log file). */
export class NodeEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly logFile: (nodeId: string) => string,
  ) {}

  started(nodeId: string, attempt = 1): number {
    const ts = Date.now();
    this.bus.emit({ type: 'node-started', ts, nodeId, attempt });
    return ts;
  }

  note(nodeId: string, message: string): void {
    this.bus.emit({ type: 'note', ts: Date.now(), nodeId, message });
  }

  /** Emits node-finished and returns the outcome the scheduler gets. */
  finish(nodeId: string, startedAt: number, end: NodeEnd): Outcome {
    this.bus.emit({
      type: 'node-finished',
      ts: Date.now(),
      nodeId,
      status: end.status,
      durationMs: Date.now() - startedAt,
      exitCode: end.exitCode ?? null,
      signal: null,
      attempts: end.attempts ?? 1,
      logFile: this.logFile(nodeId),
      ...(end.reason ? { reason: end.reason } : {}),
      ...(end.message ? { message: end.message } : {}),
      ...(end.tail !== undefined ? { tail: end.tail } : {}),
    });
    return { status: end.status, ...(end.reason ? { reason: end.reason } : {}) };
  }
}
