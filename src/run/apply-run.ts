import type { Config } from '../config/types.js';
import type { EventBus } from '../events/events.js';
import type { WorkerPool } from '../exec/pool.js';
import { Repo } from '../git/repo.js';
import type { AgentSandbox } from '../sandbox/sandbox.js';
import type { Workspace } from '../workspace/layout.js';
import type { RunState } from '../workspace/run-state.js';
import { APPLY_NODE, ApplyMerge, type ApplyOutcome } from './apply-merge.js';
import { ApplyRebase } from './apply-rebase.js';
import { parseTaskMerge, pickResolver, type TaskContribution } from './apply-resolver.js';
import { GateOutcomes } from './gate-outcomes.js';
import { TamperStop } from './repo-guard.js';
import { runContext } from './run-context.js';
import { setupPaths } from './setup-plan.js';
import { setupPlanFor } from './worktree-setup.js';

export interface ApplyRunOptions {
  readonly config: Config;
  readonly ws: Workspace;
  readonly state: RunState;
  readonly bus: EventBus;
  readonly pool: WorkerPool;
  readonly signal: AbortSignal;
  readonly graceMs: number;
  readonly sandbox?: AgentSandbox;
  /** orchestra's worktree, detached at `userHead`. */
  readonly worktree: string;
  readonly userHead: string;
  readonly branch: string;
  /** A merge commit on top of the user's branch, or the run's commits replayed onto it. */
  readonly how: 'merge' | 'rebase';
}

/**
 * `orchestra apply` on a branch that moved: the finished run's context made
 * again (its agents, sandbox, setup and record), the merge (ApplyMerge) or
 * the replay (ApplyRebase) done in orchestra's worktree, every step recorded in the run's own
 * events.jsonl under the `apply` node.
 */
export async function applyRun(o: ApplyRunOptions): Promise<ApplyOutcome> {
  const { config, state } = o;
  const setupPlan = setupPlanFor(config);
  const repo = new Repo(config.root, setupPaths(setupPlan));
  const started = Date.now();
  // An agent that touches the user's repository stops the apply, as it stops a run.
  const guard = await TamperStop.start(repo);
  const facts = {
    repo,
    runDir: o.ws.run(state.runId),
    worktrees: o.ws.worktrees(state.runId),
    integrationBranch: state.integrationBranch,
    base: state.base,
    gateOutcomes: new GateOutcomes(new Map()),
    guard,
    started,
    setupPlan,
  };
  const settings = {
    config,
    runId: state.runId,
    ws: o.ws,
    bus: o.bus,
    pool: o.pool,
    concurrency: 1,
    graceMs: o.graceMs,
    ...(o.sandbox ? { sandbox: o.sandbox } : {}),
  };
  const run = runContext(settings, facts, () => undefined);
  const contributions = await taskContributions(repo, state);
  const conflicted = await repo.mergeConflicts(o.userHead, state.integrationBranch);
  const userCommits = (await repo.raw(['log', '--format=%s', `${state.base}..${o.userHead}`])).split('\n').filter(Boolean);
  const phases = config.phases.filter((p) => state.checkpoints[p.id] !== undefined);
  const gateIds = [...new Set(phases.flatMap((p) => p.gates.map((g) => g.id)))];
  const gates = gateIds.flatMap((id) => {
    const gate = config.gates.get(id);
    return gate ? [{ id, gate }] : [];
  });
  run.nodes.started(APPLY_NODE);
  const input = {
    worktree: o.worktree,
    branch: o.branch,
    userHead: o.userHead,
    userCommits,
    resolver: pickResolver(conflicted, contributions, { phases }),
    gates,
  };
  const signal = guard.signal(o.signal);
  const outcome = o.how === 'rebase' ? await new ApplyRebase(run, input).rebase(signal) : await new ApplyMerge(run, input).merge(signal);
  const tripped = guard.tripped ? 'an agent changed your repository outside its worktree; it was put back' : undefined;
  run.nodes.finish(
    APPLY_NODE,
    started,
    outcome.ok && !tripped ? { status: 'passed' } : { status: 'failed', message: tripped ?? (outcome.ok ? '' : outcome.reason) },
  );
  return tripped ? { ok: false, reason: tripped } : outcome;
}

/** The files each task's merge brought onto the integration branch, in the order they merged. */
async function taskContributions(repo: Repo, state: RunState): Promise<TaskContribution[]> {
  const log = await repo.raw(['log', '--merges', '--reverse', '--format=%H%x00%s', `${state.base}..${state.integrationBranch}`]);
  const out: TaskContribution[] = [];
  for (const line of log.split('\n').filter(Boolean)) {
    const [sha = '', subject = ''] = line.split('\0');
    const merge = parseTaskMerge(subject);
    if (merge) out.push({ ...merge, files: await repo.changedPaths(`${sha}^1`, sha) });
  }
  return out;
}
