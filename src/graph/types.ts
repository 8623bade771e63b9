import type { Loc } from '../config/diagnostic.js';
import type { Command, Gate, Phase, Task } from '../config/types.js';

/**
 * The compiled DAG. Plain data: the executor walks it, `plan` and `graph`
 * print it. An edge means `from` must finish before `to` starts.
 */
export type NodeKind = 'task' | 'gate' | 'fix' | 'checkpoint';

interface NodeBase {
  /** Unique: `task:<phase>/<task>`, `gate:<name>` (top level), `gate:<phase>/<name>`, `fix:<phase>`, `checkpoint:<phase>`. */
  readonly id: string;
  /** The id from the config (task id, gate name, phase id for fix and checkpoint). */
  readonly name: string;
  /** The phase the node belongs to; null for top-level gates. */
  readonly phase: string | null;
  readonly loc: Loc;
}

export interface TaskNode extends NodeBase {
  readonly kind: 'task';
  readonly task: Task;
}

export interface GateNode extends NodeBase {
  readonly kind: 'gate';
  readonly gate: Gate;
}

export interface FixNode extends NodeBase {
  readonly kind: 'fix';
  readonly agent: string;
  readonly attempts: number;
  /** The phase gates whose failures this node hands to the fix agent. */
  readonly gates: readonly string[];
  /** A reviewer (agent or role) who must approve once the gates pass. */
  readonly review?: string;
}

export interface CheckpointNode extends NodeBase {
  readonly kind: 'checkpoint';
}

export type GraphNode = TaskNode | GateNode | FixNode | CheckpointNode;

export interface Edge {
  readonly from: string;
  readonly to: string;
}

/** A scope overlap resolved by ordering: `later` waits for `earlier`. */
export interface ScopeDecision {
  readonly earlier: string;
  readonly later: string;
  /** The two touch patterns that may match the same file ('(any file)' for a task without a touch scope). */
  readonly patterns: readonly [string, string];
  readonly loc: Loc;
}

export interface Graph {
  /** In a stable order: top-level gates, then each phase's tasks, gates, fix, checkpoint. */
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly Edge[];
  readonly scopeDecisions: readonly ScopeDecision[];
  /** Phases in the order they were written. */
  readonly phases: readonly Phase[];
}

export function commandText(run: Command): string | readonly string[] {
  return 'shell' in run ? run.shell : run.argv;
}
