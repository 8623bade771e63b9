import type { OrchestraEvent } from '../events/events.js';

/** The `check_gate` calls of each agent node (and its sub-nodes: `task:x#self-check` counts for `task:x`), from the record's events. */
export class SelfChecks {
  readonly #calls = new Map<string, Array<{ readonly ok: boolean; readonly failed: readonly string[] }>>();

  readonly subscriber = (e: OrchestraEvent): void => {
    if (e.type !== 'self-check') return;
    const id = e.nodeId.split('#')[0] as string;
    const failed = e.gates.filter((g) => g.status === 'failed').map((g) => g.name);
    this.#calls.set(id, [...(this.#calls.get(id) ?? []), { ok: e.ok, failed }]);
  };

  of(nodeId: string): ReadonlyArray<{ readonly ok: boolean; readonly failed: readonly string[] }> {
    return this.#calls.get(nodeId) ?? [];
  }
}
