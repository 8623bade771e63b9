import type { AgentOutcome } from '../agents/types.js';
import type { Agent } from '../config/types.js';

/**
 * What the fix loop, the review, a task and a merge round ask of the agent
 * runner and get back: the contract, apart from how AgentRunner keeps it.
 */

/** One agent's work on one prompt: who (an agent id or a role), where, and what. */
export interface AgentRequest {
  /** The node (or sub-node: `fix:p#2`, `fix:p#review0`) whose log and events this is. */
  readonly nodeId: string;
  /** An agent id or a role from team.json. */
  readonly ref: string;
  readonly phase: string;
  /** What ORCHESTRA_TASK says: the task id, `fix-2`, `review-0`. */
  readonly label: string;
  readonly prompt: string;
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  /** A reviewer: a plain command's exit code is its answer, not a crash to retry. */
  readonly exitIsAnswer?: boolean;
  /** Globs the agent may not change (its scope's forbid and the defaults), for CLIs that refuse such edits themselves. */
  readonly forbid?: readonly string[];
  /** Give it orchestra's MCP server (check_gate on its phase's gates), scoped to this request. */
  readonly selfCheck?: boolean;
}

export interface AgentResult {
  /** Undefined when no agent started (budget spent, no such agent, interrupted while waiting). */
  readonly agent?: Agent;
  readonly outcome: AgentOutcome;
  readonly tail: string;
  readonly exitCode?: number | null;
  /** How many times the agent was started (retries and a corrected command line count). */
  readonly attempts?: number;
}

/** What the fix loop, the review and a task need of the runner: a fake in tests. */
export interface RunsAgents {
  run(req: AgentRequest): Promise<AgentResult>;
}
