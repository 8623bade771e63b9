import { indexFiles } from '../exec/file-index.js';
import { runGateOnce } from '../exec/run-gates.js';
import type { Gate } from '../config/types.js';
import type { Resolver } from './apply-resolver.js';
import { applyConflictPrompt } from './conflict-prompt.js';
import { generatedMatcher, generatedOnBothSides, regenerate, resolveByAgent } from './conflict-rounds.js';
import type { RunContext } from './context.js';

/** The node of the record that `orchestra apply`'s work is filed under (its rounds are `apply#merge1`, …). */
export const APPLY_NODE = 'apply';

export interface ApplyInput {
  /** orchestra's worktree, detached at the user's HEAD; the merge happens here, never in the user's tree. */
  readonly worktree: string;
  /** The user's branch, for the prompt. */
  readonly branch: string;
  /** The commit the user's branch is at. */
  readonly userHead: string;
  /** Subjects of the commits on the user's branch since the run's base. */
  readonly userCommits: readonly string[];
  /** Who resolves text conflicts; undefined: no agent, so a text conflict fails. */
  readonly resolver: Resolver | undefined;
  /** The run's phases' gates: the merged tree must pass them as the run's own work did. */
  readonly gates: ReadonlyArray<{ readonly id: string; readonly gate: Gate }>;
}

export type ApplyOutcome =
  { readonly ok: true; readonly commit: string; readonly resolved: readonly string[] } | { readonly ok: false; readonly reason: string };

/**
 * A run's integration branch merged onto a user's branch that moved during
 * the run, in a worktree of orchestra's: the conflicts handled as the merge
 * queue handles them (lockfiles made again, text to the agent of the task
 * whose work it is, merge.attempts rounds), then the run's gates on the
 * result. Only a merge that resolved and passed is committed; the caller
 * fast-forwards the user's branch to it.
 */
export class ApplyMerge {
  constructor(
    private readonly run: RunContext,
    private readonly input: ApplyInput,
  ) {}

  async merge(signal: AbortSignal): Promise<ApplyOutcome> {
    const { run, input } = this;
    const { attempts, regenerate: commands } = run.config.merge;
    const isGenerated = generatedMatcher(commands);
    const bothChanged = await generatedOnBothSides(run.repo, input.userHead, run.integrationBranch, isGenerated);
    let last = 'the merge conflicts';
    for (let round = 1; round <= Math.max(1, attempts); round++) {
      if (signal.aborted) return { ok: false, reason: 'interrupted' };
      const conflicted = await run.repo.mergeKeepingConflicts(input.worktree, run.integrationBranch, `Merge orchestra run ${run.runId}`);
      const generated = [...new Set([...conflicted.filter((f) => isGenerated(f)), ...bothChanged])];
      const text = conflicted.filter((f) => !isGenerated(f));
      if (conflicted.length) last = `conflict in ${conflicted.join(', ')}`;
      if (text.length && (attempts === 0 || !input.resolver)) {
        await run.repo.abortMerge(input.worktree);
        return { ok: false, reason: `${last}${input.resolver ? '' : ' and the config names no agent to resolve it'}` };
      }
      // The user's lockfile is the one made again: their dependencies are the ones to keep as they are.
      const unmerged = generated.filter((f) => conflicted.includes(f));
      if (unmerged.length) await run.repo.raw(['checkout', '--ours', '--', ...unmerged], input.worktree);
      const failed =
        (text.length && input.resolver ? await this.#resolve(input.resolver, text, round, attempts, signal) : undefined) ??
        (await regenerate(run, generated, input.worktree, `${APPLY_NODE}#regenerate`, signal));
      if (failed) {
        await run.repo.abortMerge(input.worktree);
        this.#note(`merge round ${round}: ${failed}`);
        last = `${last} (${failed})`;
        continue;
      }
      const met = [...new Set([...conflicted, ...generated])].sort();
      if (met.length) this.#note(`merge round ${round}: ${met.join(', ')} resolved${generated.length ? ` (${generated.join(', ')} made again)` : ''}`);
      const gateFailure = await runApplyGates(run, input, signal);
      if (gateFailure) {
        await run.repo.abortMerge(input.worktree);
        return { ok: false, reason: gateFailure };
      }
      await run.repo.concludeMerge(input.worktree);
      return { ok: true, commit: await run.repo.revParse('HEAD', input.worktree), resolved: met };
    }
    return { ok: false, reason: `${last}; not resolved in ${Math.max(1, attempts)} round(s)` };
  }

  async #resolve(resolver: Resolver, files: readonly string[], round: number, attempts: number, signal: AbortSignal): Promise<string | undefined> {
    const { run, input } = this;
    this.#note(
      `merge round ${round}: ${files.join(', ')} changed on ${input.branch} too; to ${resolver.ref}${resolver.taskId ? ` (task ${resolver.taskId})` : ''}`,
    );
    return resolveApplyConflict(run, input, resolver, { n: round, files, round, attempts, taskPrompt: resolver.taskPrompt }, signal);
  }

  #note(message: string): void {
    this.run.nodes.note(APPLY_NODE, message);
  }
}

/** Each of the run's gates on the applied tree (set up first, as the integration worktree is): the first failure, or undefined. */
export async function runApplyGates(run: RunContext, input: Pick<ApplyInput, 'worktree' | 'gates'>, signal: AbortSignal): Promise<string | undefined> {
  if (input.gates.length === 0) return undefined;
  const unready = await run.setup.integrationReady(input.worktree, APPLY_NODE, signal);
  if (unready) return `setup failed: ${unready}`;
  const index = input.gates.some((g) => g.gate.rule) ? await indexFiles(input.worktree) : undefined;
  const env = {
    config: run.config,
    root: input.worktree,
    runId: run.runId,
    concurrency: 1,
    graceMs: run.graceMs,
    bus: run.bus,
    pool: run.pool,
    ...(run.contain ? { contain: run.contain } : {}),
  };
  for (const { id, gate } of input.gates) {
    const nodeId = `${APPLY_NODE}#${id}`;
    const t0 = run.nodes.started(nodeId);
    const result = await runGateOnce(gate, nodeId, run.runDir.logFile(nodeId), signal, env, index);
    const failed = result.reason !== undefined;
    run.nodes.finish(nodeId, t0, {
      status: failed ? 'failed' : 'passed',
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.message ? { message: result.message } : {}),
      tail: result.tail,
      exitCode: result.exitCode,
    });
    if (failed) return `the gate ${gate.name} fails on the merged work (${result.message ?? result.reason}); log: ${run.runDir.logFile(nodeId)}`;
  }
  return undefined;
}

/** One round of an apply's conflict with the resolving agent: the sub-node `apply#merge<n>`, its prompt from both sides. */
export function resolveApplyConflict(
  run: RunContext,
  input: Pick<ApplyInput, 'worktree' | 'branch' | 'userCommits'>,
  resolver: Resolver,
  at: { readonly n: number; readonly files: readonly string[]; readonly round: number; readonly attempts: number; readonly taskPrompt: string },
  signal: AbortSignal,
): Promise<string | undefined> {
  return resolveByAgent(run, {
    nodeId: `${APPLY_NODE}#merge${at.n}`,
    ref: resolver.ref,
    phase: resolver.phase,
    label: `apply-merge-${at.n}`,
    worktree: input.worktree,
    files: at.files,
    onlyTheseFiles: true,
    prompt: (diff) =>
      applyConflictPrompt({
        runId: run.runId,
        branch: input.branch,
        ...(resolver.taskId ? { task: resolver.taskId } : {}),
        taskPrompt: at.taskPrompt,
        files: at.files,
        userCommits: input.userCommits,
        diff,
        round: at.round,
        attempts: at.attempts,
      }),
    signal,
  });
}
