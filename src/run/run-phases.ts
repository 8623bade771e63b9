import { mkdirSync } from 'node:fs';
import type { Config } from '../config/types.js';
import type { EventBus, NodeStatus } from '../events/events.js';
import { nodeInfos } from '../exec/node-infos.js';
import type { WorkerPool } from '../exec/pool.js';
import { walk, type Outcome } from '../exec/scheduler.js';
import { Repo } from '../git/repo.js';
import type { GateNode, Graph } from '../graph/types.js';
import { unreachable } from '../util/unreachable.js';
import type { Workspace } from '../workspace/layout.js';
import { RunStateStore, type RunState } from '../workspace/run-state.js';
import { runCheckpoint } from './checkpoint.js';
import { PhaseContexts } from './context.js';
import { runFixNode } from './fix-node.js';
import { GateOutcomes } from './gate-outcomes.js';
import { runPhaseGate } from './phase-gate.js';
import { TamperStop } from './repo-guard.js';
import { runContext } from './run-context.js';
import { prepareResume } from './resume.js';
import { TaskStep } from './task.js';
import { setupPaths } from './setup-plan.js';
import { setupPlanFor } from './worktree-setup.js';

export interface PhaseRunOptions {
  readonly config: Config;
  /** Phase nodes only (tasks, phase gates, fixes, checkpoints). */
  readonly graph: Graph;
  readonly runId: string;
  readonly ws: Workspace;
  readonly concurrency: number;
  readonly keepGoing: boolean;
  readonly graceMs: number;
  readonly bus: EventBus;
  readonly pool: WorkerPool;
  readonly signal: AbortSignal;
  /** Continue an earlier run: its phases with a checkpoint are not redone. */
  readonly resume?: RunState;
  /** `run --timeout`: one agent attempt's limit where neither the agent nor the task sets one. */
  readonly agentTimeoutMs?: number;
}

export interface PhaseRunResult {
  readonly ok: boolean;
  readonly interrupted: boolean;
  readonly integrationBranch: string;
  readonly base: string;
  readonly statuses: ReadonlyMap<string, NodeStatus>;
}

/**
 * `orchestra run`: every task in its own worktree, branched from its phase's
 * base on the integration branch `orchestra/<run>` (which starts at the
 * user's HEAD); the phase's gates in the integration worktree; failures to the
 * fix agent; a checkpoint per phase. The user's working tree, index and
 * branches are never touched. Each kind of node is its own step (task.ts,
 * phase-gate.ts, fix-node.ts, checkpoint.ts); this function sets the run up,
 * walks the graph, and records how it ended.
 */
export async function runPhases(opts: PhaseRunOptions): Promise<PhaseRunResult> {
  const { config, graph, bus, runId } = opts;
  const started = Date.now();
  // What each worktree gets before its agent or gates: decided once, from the config and the files at your root.
  const setupPlan = setupPlanFor(config);
  const repo = new Repo(config.root, setupPaths(setupPlan));
  const base = opts.resume?.base ?? (await repo.head());
  const integrationBranch = `orchestra/${runId}`;
  const runDir = opts.ws.run(runId);
  const worktrees = opts.ws.worktrees(runId);
  for (const d of [runDir.logs, runDir.prompts, worktrees.root]) mkdirSync(d, { recursive: true });
  const store = new RunStateStore(opts.ws);
  // An agent that touches the user's repository stops the whole run, --keep-going or not.
  const guard = await TamperStop.start(repo);
  const checkpoints: Record<string, string> = { ...(opts.resume?.checkpoints ?? {}) };
  const saveState = (finished: boolean, ok: boolean): void => store.write({ runId, base, integrationBranch, ok, finished, checkpoints });
  if (opts.resume) await prepareResume(repo, opts.resume, worktrees.integration);
  else await repo.addWorktree(worktrees.integration, integrationBranch, base);
  saveState(false, false);

  const nodes = nodeInfos(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const gates = graph.nodes.filter((n): n is GateNode => n.kind === 'gate');
  const gateOutcomes = new GateOutcomes(new Map(gates.map((g) => [g.id, g])));
  bus.subscribe(gateOutcomes.subscriber);
  bus.emit({ type: 'run-started', ts: started, runId, command: 'run', root: config.root, nodes });

  const run = runContext(opts, { repo, runDir, worktrees, integrationBranch, base, gateOutcomes, guard, started, setupPlan }, (phase, sha) => {
    checkpoints[phase] = sha;
    saveState(false, false);
  });
  const phases = new PhaseContexts(
    run,
    (phase) => gates.filter((g) => g.phase === phase),
    new Set(graph.nodes.filter((n) => n.kind === 'fix').map((n) => n.phase ?? '')),
  );

  const runNode = async (id: string, signal: AbortSignal): Promise<Outcome> => {
    const node = byId.get(id);
    if (!node) throw new Error(`unknown node ${id}`);
    if (node.phase === null) throw new Error(`run walks phase nodes only, got ${id}`);
    if (opts.resume && checkpoints[node.phase] !== undefined) {
      // Done before the interruption: its checkpoint holds, so it is not redone.
      bus.emit({ type: 'node-finished', ts: Date.now(), nodeId: id, status: 'cached', durationMs: 0, exitCode: null, signal: null, attempts: 0 });
      return { status: 'cached' };
    }
    const ctx = phases.of(node.phase);
    switch (node.kind) {
      case 'task':
        return new TaskStep(ctx, node).run(signal);
      case 'gate':
        return runPhaseGate(ctx, node, signal);
      case 'fix':
        return runFixNode(ctx, node, signal);
      case 'checkpoint':
        return runCheckpoint(ctx, node.id);
      default:
        return unreachable(node);
    }
  };

  const label = (nodeId: string): string => byId.get(nodeId)?.name ?? nodeId;
  const walked = await walk(nodes, runNode, { concurrency: opts.concurrency, keepGoing: opts.keepGoing, signal: guard.signal(opts.signal), bus, label });
  // Stopped because an agent touched the repository: a failure (exit 1), not an interrupt.
  const ok = walked.ok && !guard.tripped;
  const interrupted = opts.signal.aborted;
  saveState(true, ok);
  // A run that held leaves only its branch and tags; a failed one keeps its worktrees to look at.
  if (ok) await repo.removeWorktree(worktrees.integration);
  bus.emit({ type: 'run-finished', ts: Date.now(), ok, interrupted, durationMs: Date.now() - started, counts: walked.counts });
  return { ok, interrupted, integrationBranch, base, statuses: walked.statuses };
}
