import type { AgentEvent, Usage } from '../agents/types.js';
import type { NodeKind } from '../graph/types.js';
import type { Finding } from '../rules/types.js';

/**
 * What a monitor noticed that a person should look at (src/monitor/): an agent
 * silent past a threshold, asking for a permission or input it will not get
 * headless, calling the same tool with the same input again and again; a run
 * with nothing running and nothing started for a while.
 */
export type AlertKind = 'silent' | 'permission' | 'input' | 'loop' | 'stalled';

export type FinishedStatus = 'passed' | 'failed' | 'cached';
export type NodeStatus = FinishedStatus | 'skipped';

/** Why a node failed, when it did. 'internal': orchestra itself threw while running the node (a bug in orchestra). */
/** `setup`: the worktree could not be made ready (its setup command failed): not the agent's or the gate's failure, and not the fix agent's to fix. */
/** `lost`: the process spawner that started the command ended while it ran, so how the command ended is not known (its process group was killed). */
export type FailReason = 'exit-code' | 'timeout' | 'interrupted' | 'spawn-error' | 'lost' | 'findings' | 'unsupported' | 'internal' | 'setup';

export interface NodeInfo {
  readonly id: string;
  readonly kind: NodeKind;
  readonly name: string;
  readonly phase: string | null;
  readonly needs: readonly string[];
}

/**
 * Everything the executor does is one of these: typed, serialisable,
 * timestamped (ms since the epoch). The renderers, the JSONL record and the
 * reporters are subscribers; none of them reach back into the executor.
 */
export type OrchestraEvent =
  | {
      readonly type: 'run-started';
      readonly ts: number;
      readonly runId: string;
      readonly command: 'check' | 'run';
      readonly root: string;
      readonly nodes: readonly NodeInfo[];
    }
  | { readonly type: 'node-started'; readonly ts: number; readonly nodeId: string; readonly attempt: number }
  /** The latest line a running node printed (throttled); the full output is in its log file. */
  | { readonly type: 'node-output'; readonly ts: number; readonly nodeId: string; readonly line: string }
  | { readonly type: 'cache-hit'; readonly ts: number; readonly nodeId: string; readonly fingerprint: string }
  | { readonly type: 'finding'; readonly ts: number; readonly nodeId: string; readonly finding: Finding }
  | { readonly type: 'node-retry'; readonly ts: number; readonly nodeId: string; readonly attempt: number; readonly reason: FailReason }
  | {
      readonly type: 'node-finished';
      readonly ts: number;
      readonly nodeId: string;
      readonly status: FinishedStatus;
      readonly durationMs: number;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly reason?: FailReason;
      readonly message?: string;
      readonly attempts: number;
      readonly logFile?: string;
      /** The last lines of output, for a failure report. */
      readonly tail?: string;
      /** With reason 'internal': the stack of what orchestra threw, kept in the record for a bug report. */
      readonly stack?: string;
    }
  | { readonly type: 'node-skipped'; readonly ts: number; readonly nodeId: string; readonly reason: string }
  /** What an agent did, normalized by its adapter (message, tool use, …), and its usage at the end. */
  | { readonly type: 'agent-event'; readonly ts: number; readonly nodeId: string; readonly agent: string; readonly event: AgentEvent }
  | {
      readonly type: 'agent-finished';
      readonly ts: number;
      readonly nodeId: string;
      readonly agent: string;
      readonly ok: boolean;
      readonly usage: Usage;
      readonly failure?: { readonly class: string; readonly reason: string };
      /** The agent had orchestra's MCP server (check_gate) to test its own work with. */
      readonly selfCheck?: true;
    }
  | { readonly type: 'note'; readonly ts: number; readonly nodeId: string; readonly message: string }
  /** An agent checked its own work with orchestra's MCP server (`check_gate`): the agent's word, from its channel (run/channel-entry.ts). */
  | {
      readonly type: 'self-check';
      readonly ts: number;
      readonly nodeId: string;
      readonly ok: boolean;
      readonly gates: ReadonlyArray<{ readonly name: string; readonly status: string }>;
    }
  /** An alert (see AlertKind); `node`: the node (or fix round) it is about, null for the run as a whole. */
  | { readonly type: 'alert'; readonly ts: number; readonly kind: AlertKind; readonly message: string; readonly node: string | null }
  | {
      readonly type: 'run-finished';
      readonly ts: number;
      readonly ok: boolean;
      readonly interrupted: boolean;
      readonly durationMs: number;
      readonly counts: Readonly<Record<NodeStatus, number>>;
    };

export type EventOf<T extends OrchestraEvent['type']> = Extract<OrchestraEvent, { type: T }>;

export type Subscriber = (event: OrchestraEvent) => void;

/** Fans events out to subscribers, in order, synchronously. */
export class EventBus {
  readonly #subscribers: Subscriber[] = [];

  subscribe(s: Subscriber): void {
    this.#subscribers.push(s);
  }

  emit(event: OrchestraEvent): void {
    for (const s of this.#subscribers) s(event);
  }
}
