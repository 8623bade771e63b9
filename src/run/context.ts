import type { Config, SelfCheck } from '../config/types.js';
import type { EventBus } from '../events/events.js';
import type { WorkerPool } from '../exec/pool.js';
import type { Repo } from '../git/repo.js';
import type { GateNode } from '../graph/types.js';
import type { RunDir, RunWorktrees } from '../workspace/layout.js';
import type { Mutex } from './agent-slots.js';
import type { RunsAgents } from './agent-request.js';
import type { GateOutcomes } from './gate-outcomes.js';
import type { NodeEvents } from './node-events.js';
import { MergeQueue } from './merge-queue.js';
import type { SelfChecks } from './self-checks.js';
import type { WorktreeSetup } from './worktree-setup.js';

/**
 * What every step of a run shares: plain facts and the few objects that hold
 * the run's state (slots, budget, gate results, checkpoints), each owned by
 * one class. Built once by `runPhases`.
 */
export interface RunContext {
  readonly config: Config;
  readonly runId: string;
  readonly repo: Repo;
  readonly bus: EventBus;
  readonly pool: WorkerPool;
  readonly runDir: RunDir;
  readonly worktrees: RunWorktrees;
  readonly integrationBranch: string;
  /** The commit the run started from. */
  readonly base: string;
  readonly concurrency: number;
  readonly graceMs: number;
  readonly patternsFile: string;
  readonly fixPromptFile: string;
  /** One writer at a time in the integration worktree (merges, fix rounds, checkpoints). */
  readonly integrationLock: Mutex;
  readonly agents: RunsAgents;
  readonly gateOutcomes: GateOutcomes;
  readonly nodes: NodeEvents;
  /** Makes each new worktree ready (copies, links, setup commands) before its agent or gates. */
  readonly setup: WorktreeSetup;
  /** Each agent node's check_gate calls, as its MCP server reported them. */
  readonly selfChecks: SelfChecks;
  /** Records a phase's checkpoint commit in the run's state. */
  readonly checkpointed: (phase: string, sha: string) => void;
  /** Where the sandbox is: a gate's command in a PID namespace of its own, so that nothing it starts outlives it. */
  readonly contain?: (argv: readonly string[]) => readonly string[];
}

/** One phase's view of the run: its gates, whether a fix loop follows them, and the commit its tasks start from. */
export interface PhaseContext {
  readonly run: RunContext;
  readonly phase: string;
  readonly gates: readonly GateNode[];
  readonly hasFix: boolean;
  /** Whether the phase's agents get orchestra's MCP server, and whether a task must have checked its work with it. */
  readonly selfCheck: SelfCheck;
  /** The integration branch's tip when the phase's first task started: every task of the phase branches from it. */
  taskBase(): Promise<string>;
  /** What the phase's work is diffed against: its task base, or the run's base for a phase that ran no task. */
  diffBase(): Promise<string>;
  /** The phase's tasks reach the integration branch through it, one at a time, in the order they are listed. */
  readonly mergeQueue: MergeQueue;
  /** A task's place in that order. */
  taskIndex(taskId: string): number;
}

/** The phase contexts of a run, made on first use: a phase's base is read once, when its first task starts. */
export class PhaseContexts {
  readonly #made = new Map<string, PhaseContext>();

  constructor(
    private readonly run: RunContext,
    private readonly gatesOf: (phase: string) => readonly GateNode[],
    private readonly fixed: ReadonlySet<string>,
  ) {}

  of(phase: string): PhaseContext {
    const known = this.#made.get(phase);
    if (known) return known;
    const run = this.run;
    const own = run.config.phases.find((p) => p.id === phase);
    const tasks = own?.tasks ?? [];
    let base: Promise<string> | undefined;
    const ctx: PhaseContext = {
      run,
      phase,
      gates: this.gatesOf(phase),
      hasFix: this.fixed.has(phase),
      selfCheck: own?.selfCheck ?? 'offered',
      taskBase: () => (base ??= run.integrationLock.run(() => run.repo.revParse('HEAD', run.worktrees.integration))),
      diffBase: () => base ?? Promise.resolve(run.base),
      mergeQueue: new MergeQueue(tasks.length),
      taskIndex: (id) => tasks.findIndex((t) => t.id === id),
    };
    this.#made.set(phase, ctx);
    return ctx;
  }
}
