import type { TaskNode } from '../graph/types.js';
import { conflictPrompt } from './conflict-prompt.js';
import { generatedMatcher, generatedOnBothSides, regenerate, resolveByAgent } from './conflict-rounds.js';
import type { PhaseContext } from './context.js';
import type { MergeQueue } from './merge-queue.js';

/**
 * A task's commit onto the integration branch. A clean merge is done at once;
 * a conflict goes back to the task: the integration tip is merged into its
 * worktree, lockfiles are taken from the tip and made again by their tool
 * (merge.regenerate), and the other conflicts go to the task's own agent for
 * up to merge.attempts rounds. What reaches the integration branch is always
 * a whole merge: a round that fails is aborted where it happened, in the
 * task's worktree. Returns why it could not merge, or undefined.
 */
export class TaskMerge {
  constructor(
    private readonly ctx: PhaseContext,
    private readonly node: TaskNode,
    private readonly worktree: string,
    private readonly queue: MergeQueue,
  ) {}

  async merge(commit: string, checkScope: (from: string) => Promise<string | undefined>, signal: AbortSignal): Promise<string | undefined> {
    const run = this.ctx.run;
    const { attempts, regenerate: commands } = run.config.merge;
    const isGenerated = generatedMatcher(commands);
    // A lockfile both sides changed is made again, never merged as text, even where git would merge it cleanly.
    const bothChanged = await generatedOnBothSides(run.repo, commit, run.integrationBranch, isGenerated);
    const first = bothChanged.length ? `${bothChanged.join(', ')} changed on both sides` : await this.#mergeIntoIntegration(commit);
    if (first === undefined) return undefined;
    let lastConflict = first;
    for (let round = 1; round <= Math.max(1, attempts); round++) {
      if (signal.aborted) return 'interrupted';
      const tip = await run.repo.revParse(run.integrationBranch);
      const conflicted = await run.repo.mergeKeepingConflicts(this.worktree, tip, `orchestra: ${run.integrationBranch} into ${this.node.task.id}`);
      const generated = [...new Set([...conflicted.filter((f) => isGenerated(f)), ...bothChanged])];
      const text = conflicted.filter((f) => !isGenerated(f));
      lastConflict = conflicted.length ? `conflict in ${conflicted.join(', ')}` : first;
      if (text.length && attempts === 0) break;
      const unmerged = generated.filter((f) => conflicted.includes(f));
      if (unmerged.length) await run.repo.raw(['checkout', '--theirs', '--', ...unmerged], this.worktree);
      const failed = (text.length ? await this.#resolveByAgent(text, round, attempts, signal) : undefined) ?? (await this.#regenerate(generated, signal));
      if (failed) {
        await run.repo.abortMerge(this.worktree);
        this.#note(`merge round ${round}: ${failed}`);
        lastConflict = `${lastConflict} (${failed})`;
        continue;
      }
      await run.repo.concludeMerge(this.worktree);
      // The task's work against the tip it now contains: its own paths, the resolutions, and the regenerated files.
      const outside = await checkScope(tip);
      if (outside) return outside;
      const met = [...new Set([...conflicted, ...generated])].sort();
      if (met.length) this.#note(`merge round ${round}: ${met.join(', ')} resolved${generated.length ? ` (${generated.join(', ')} made again)` : ''}`);
      const merged = await this.#mergeIntoIntegration(await run.repo.revParse('HEAD', this.worktree));
      if (merged === undefined) return undefined;
      lastConflict = merged;
    }
    return `could not merge into ${run.integrationBranch}: ${lastConflict}; nothing of it was merged`;
  }

  /** Why not, or undefined once merged. */
  async #mergeIntoIntegration(commit: string): Promise<string | undefined> {
    const run = this.ctx.run;
    const merged = await run.integrationLock.run(() =>
      run.repo.merge(run.worktrees.integration, commit, `orchestra(${this.ctx.phase}): merge ${this.node.task.id}`),
    );
    return merged.ok ? undefined : merged.conflict;
  }

  async #resolveByAgent(files: readonly string[], round: number, attempts: number, signal: AbortSignal): Promise<string | undefined> {
    const task = this.node.task;
    this.#note(`merge round ${round}: ${files.join(', ')} conflict with work merged before; back to ${task.agent.id}`);
    return resolveByAgent(this.ctx.run, {
      nodeId: `${this.node.id}#merge${round}`,
      ref: task.agent.id,
      phase: this.ctx.phase,
      label: `${task.id}-merge-${round}`,
      worktree: this.worktree,
      files,
      prompt: (diff) => conflictPrompt({ task: task.id, taskPrompt: task.prompt, files, others: this.queue.merged, diff, round, attempts }),
      signal,
    });
  }

  /** Each generated file made again by its tool (in the sandbox, logged as the task's `regenerate` log). */
  #regenerate(files: readonly string[], signal: AbortSignal): Promise<string | undefined> {
    return regenerate(this.ctx.run, files, this.worktree, `${this.node.id}#regenerate`, signal);
  }

  #note(message: string): void {
    this.ctx.run.nodes.note(this.node.id, message);
  }
}
