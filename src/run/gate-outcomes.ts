import type { OrchestraEvent } from '../events/events.js';
import type { GateNode } from '../graph/types.js';
import { commandText } from '../graph/types.js';
import type { Finding } from '../rules/types.js';
import type { GateFailure } from './fix-prompt.js';

interface Latest {
  failed: boolean;
  exitCode: number | null;
  message?: string;
  tail: string;
  findings: Finding[];
}

/**
 * The latest result of each phase gate, read from the events the gates emit:
 * the fix loop learns what failed from the same record every reporter reads,
 * not from a side channel.
 */
export class GateOutcomes {
  readonly #latest = new Map<string, Latest>();

  constructor(private readonly gates: ReadonlyMap<string, GateNode>) {}

  readonly subscriber = (e: OrchestraEvent): void => {
    // Only three kinds of event say anything about a gate's result; the rest pass by.
    if (!('nodeId' in e) || !this.gates.has(e.nodeId)) return;
    if (e.type === 'node-started') this.#latest.set(e.nodeId, { failed: false, exitCode: null, tail: '', findings: [] });
    else if (e.type === 'finding') this.#latest.get(e.nodeId)?.findings.push(e.finding);
    else if (e.type === 'node-finished') {
      const row = this.#latest.get(e.nodeId) ?? { failed: false, exitCode: null, tail: '', findings: [] };
      Object.assign(row, { failed: e.status === 'failed', exitCode: e.exitCode, tail: e.tail ?? '' });
      if (e.message !== undefined) row.message = e.message;
      this.#latest.set(e.nodeId, row);
    }
  };

  /** The gates among `nodes` whose latest run failed, as the fix prompt shows them. */
  failures(nodes: readonly GateNode[]): GateFailure[] {
    return nodes.flatMap((n) => {
      const r = this.#latest.get(n.id);
      if (!r?.failed) return [];
      const command = n.gate.run ? [commandText(n.gate.run)].flat().join(' ') : `rule ${n.gate.rule?.id}`;
      return [{ gate: n.gate.name, command, exitCode: r.exitCode, message: r.message ?? 'failed', findings: r.findings, tail: r.tail }];
    });
  }
}
