import type { Config } from '../config/types.js';
import type { EventBus } from '../events/events.js';
import type { WorkerPool } from '../exec/pool.js';
import type { Repo } from '../git/repo.js';
import type { AgentSandbox } from '../sandbox/sandbox.js';
import type { RunDir, RunWorktrees, Workspace } from '../workspace/layout.js';
import { orchestraCommand } from './agent-mcp.js';
import { AgentRunner } from './agent-runner.js';
import { AgentSlots, Mutex } from './agent-slots.js';
import { BudgetLedger } from './budget.js';
import type { RunContext } from './context.js';
import type { GateOutcomes } from './gate-outcomes.js';
import { NodeEvents } from './node-events.js';
import type { TamperStop } from './repo-guard.js';
import type { SetupPlan } from './setup-plan.js';
import { SelfChecks } from './self-checks.js';
import { WorktreeSetup } from './worktree-setup.js';

/** A crashed plain command agent is tried this many more times. */
const TRANSIENT_RETRIES = 2;

export interface RunSettings {
  readonly config: Config;
  readonly runId: string;
  readonly ws: Workspace;
  readonly bus: EventBus;
  readonly pool: WorkerPool;
  readonly concurrency: number;
  readonly graceMs: number;
  readonly agentTimeoutMs?: number;
  /** Where every agent runs; undefined: unconfined (`sandbox: off`, or bubblewrap cannot work here). */
  readonly sandbox?: AgentSandbox;
}

export interface RunFacts {
  readonly repo: Repo;
  readonly runDir: RunDir;
  readonly worktrees: RunWorktrees;
  readonly integrationBranch: string;
  readonly base: string;
  readonly gateOutcomes: GateOutcomes;
  readonly guard: TamperStop;
  readonly started: number;
  readonly setupPlan: SetupPlan;
}

/** The context every step of a run shares: its slots, budget, agent runner, lock and event helpers, made once. */
export function runContext(s: RunSettings, f: RunFacts, checkpointed: (phase: string, sha: string) => void): RunContext {
  const budget = new BudgetLedger(f.started, s.config.budget, new Map(s.config.phases.map((p) => [p.id, p.budget])));
  const agents = new AgentRunner({
    runId: s.runId,
    runDir: f.runDir,
    bus: s.bus,
    pool: s.pool,
    slots: new AgentSlots(s.config.team ?? { file: '', agents: [] }),
    budget,
    graceMs: s.graceMs,
    // A failed attempt's leftovers go before the next one starts.
    resetTree: (cwd) => f.repo.resetWorktree(cwd),
    guard: () => f.guard.verify(),
    retries: TRANSIENT_RETRIES,
    ...(s.agentTimeoutMs !== undefined ? { defaultTimeoutMs: s.agentTimeoutMs } : {}),
    ...(s.sandbox ? { sandbox: s.sandbox, repoRoot: s.config.root } : {}),
    orchestra: orchestraCommand(),
  });
  const nodes = new NodeEvents(s.bus, (id) => f.runDir.logFile(id));
  const selfChecks = new SelfChecks();
  s.bus.subscribe(selfChecks.subscriber);
  const setup = new WorktreeSetup({
    root: s.config.root,
    plan: f.setupPlan,
    pool: s.pool,
    runDir: f.runDir,
    graceMs: s.graceMs,
    ...(s.sandbox ? { sandbox: s.sandbox } : {}),
    note: (id, message) => nodes.note(id, message),
  });
  return {
    config: s.config,
    runId: s.runId,
    repo: f.repo,
    bus: s.bus,
    pool: s.pool,
    runDir: f.runDir,
    worktrees: f.worktrees,
    integrationBranch: f.integrationBranch,
    base: f.base,
    integrationLock: new Mutex(),
    agents,
    gateOutcomes: f.gateOutcomes,
    concurrency: s.concurrency,
    graceMs: s.graceMs,
    patternsFile: s.ws.patternsFile,
    fixPromptFile: s.ws.fixPromptFile,
    nodes,
    setup,
    selfChecks,
    checkpointed,
    ...(s.sandbox?.contain ? { contain: s.sandbox.contain.bind(s.sandbox) } : {}),
  };
}
