import { RebaseSteps } from '../git/rebase-steps.js';
import { APPLY_NODE, type ApplyInput, type ApplyOutcome, resolveApplyConflict, runApplyGates } from './apply-merge.js';
import { generatedMatcher, generatedOnBothSides, regenerate } from './conflict-rounds.js';
import type { RunContext } from './context.js';

/** More stops than this is not a rebase to resolve by agents: a run has a commit per task and phase, not hundreds. */
const MAX_STOPS = 50;

/**
 * `orchestra apply --rebase` where the run's commits meet the user's: the
 * run's commits replayed onto the user's branch in orchestra's worktree,
 * each stop's conflicts handled as in a merge (lockfiles made again, text to
 * the task's agent, merge.attempts rounds per stop), then the run's gates on
 * the result. Any failure aborts the whole replay.
 */
export class ApplyRebase {
  #rounds = 0;

  constructor(
    private readonly run: RunContext,
    private readonly input: ApplyInput,
  ) {}

  async rebase(signal: AbortSignal): Promise<ApplyOutcome> {
    const { run, input } = this;
    const steps = new RebaseSteps(run.repo, input.worktree);
    const resolved = new Set<string>();
    let conflicted = await steps.start(input.userHead, run.base);
    for (let stop = 1; conflicted.length; stop++) {
      const failed =
        stop > MAX_STOPS ? `more than ${MAX_STOPS} commits conflict` : signal.aborted ? 'interrupted' : await this.#resolveStop(steps, conflicted, signal);
      if (failed) {
        await steps.abort();
        return { ok: false, reason: failed === 'interrupted' ? failed : `conflict in ${conflicted.join(', ')} (${failed})` };
      }
      for (const f of conflicted) resolved.add(f);
      conflicted = await steps.continue();
    }
    // A lockfile both sides changed whose text replayed cleanly is still made again, as one more commit.
    const isGenerated = generatedMatcher(run.config.merge.regenerate);
    const both = await generatedOnBothSides(run.repo, input.userHead, run.integrationBranch, isGenerated);
    if (both.length) {
      const failed = await regenerate(run, both, input.worktree, `${APPLY_NODE}#regenerate`, signal);
      if (failed) return { ok: false, reason: `${both.join(', ')} could not be made again: ${failed}` };
      await run.repo.commitAll(input.worktree, `orchestra: ${both.join(', ')} made again`);
      for (const f of both) resolved.add(f);
    }
    const gateFailure = await runApplyGates(run, input, signal);
    if (gateFailure) return { ok: false, reason: gateFailure };
    return { ok: true, commit: await run.repo.revParse('HEAD', input.worktree), resolved: [...resolved].sort() };
  }

  /** One stop: lockfiles made again, text to the agent, up to merge.attempts rounds. Why it failed, or undefined. */
  async #resolveStop(steps: RebaseSteps, conflicted: readonly string[], signal: AbortSignal): Promise<string | undefined> {
    const { run, input } = this;
    const { attempts, regenerate: commands } = run.config.merge;
    const isGenerated = generatedMatcher(commands);
    const generated = conflicted.filter((f) => isGenerated(f));
    const text = conflicted.filter((f) => !isGenerated(f));
    if (text.length && (attempts === 0 || !input.resolver)) return input.resolver ? 'merge.attempts is 0' : 'the config names no agent to resolve it';
    // In a rebase, "ours" is the branch replayed onto: the user's lockfile, made again.
    if (generated.length) await run.repo.raw(['checkout', '--ours', '--', ...generated], input.worktree);
    const replaying = await steps.replaying();
    let last: string | undefined;
    for (let round = 1; round <= Math.max(1, attempts); round++) {
      if (round > 1 && text.length) await steps.redo(text);
      last = text.length && input.resolver ? await this.#resolve(text, replaying, round, attempts, signal) : undefined;
      last ??= await regenerate(run, generated, input.worktree, `${APPLY_NODE}#regenerate`, signal);
      if (!last) {
        this.#note(`${replaying || 'a commit'}: ${conflicted.join(', ')} resolved${generated.length ? ` (${generated.join(', ')} made again)` : ''}`);
        return undefined;
      }
      this.#note(`${replaying || 'a commit'}: round ${round}: ${last}`);
      if (signal.aborted) return 'interrupted';
    }
    return last;
  }

  async #resolve(files: readonly string[], replaying: string, round: number, attempts: number, signal: AbortSignal): Promise<string | undefined> {
    const { run, input } = this;
    const resolver = input.resolver;
    if (!resolver) return 'no agent';
    // Every round of every stop its own sub-node, so that each has its own log and transcript.
    const n = ++this.#rounds;
    this.#note(`merge round ${n}: ${files.join(', ')} changed on ${input.branch} too, replaying "${replaying}"; to ${resolver.ref}`);
    const taskPrompt = replaying ? `${resolver.taskPrompt.split('\n')[0]} (replaying its commit "${replaying}")` : resolver.taskPrompt;
    return resolveApplyConflict(run, input, resolver, { n, files, round, attempts, taskPrompt }, signal);
  }

  #note(message: string): void {
    this.run.nodes.note(APPLY_NODE, message);
  }
}
