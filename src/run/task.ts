import { existsSync } from 'node:fs';
import { ADAPTERS } from '../agents/adapters/index.js';
import type { Outcome } from '../exec/scheduler.js';
import type { TaskNode } from '../graph/types.js';
import type { AgentResult } from './agent-request.js';
import type { PhaseContext } from './context.js';
import { linksLeaving } from './link-targets.js';
import { TaskMerge } from './merge-task.js';
import { selfCheckAsk, selfCheckVerdict, sendBackPrompt } from './self-check-prompt.js';
import { escapingLinks, forbiddenGlobs, scopeViolations, showPath } from './scope.js';

/**
 * A task: a fresh worktree on `orchestra-task/<run>/<task>` from its phase's
 * base → the agent → commit → scope check → merge into the integration
 * branch. A task that fails keeps its worktree to look at.
 */
export class TaskStep {
  readonly #branch: string;
  readonly #worktree: string;

  constructor(
    private readonly ctx: PhaseContext,
    private readonly node: TaskNode,
  ) {
    this.#branch = `orchestra-task/${ctx.run.runId}/${node.task.id}`;
    this.#worktree = ctx.run.worktrees.task(node.task.id);
  }

  async run(signal: AbortSignal): Promise<Outcome> {
    // Whatever happens to it, the task takes its turn in the merge queue, so the tasks after it are not held.
    const index = this.ctx.taskIndex(this.node.task.id);
    try {
      return await this.#run(signal, index);
    } finally {
      this.ctx.mergeQueue.done(index);
    }
  }

  async #run(signal: AbortSignal, index: number): Promise<Outcome> {
    const { nodes } = this.ctx.run;
    const t0 = Date.now();
    const from = await this.#prepareWorktree();
    const unready = await this.ctx.run.setup.prepare(this.#worktree, this.node.id, signal, (f) => scopeViolations([f], this.node.task.scope).length === 0);
    if (unready) return nodes.finish(this.node.id, t0, { status: 'failed', reason: 'setup', message: unready, attempts: 0 });
    const work = await this.#checkedWork(await this.#runAgent(signal), signal);
    if (!work.outcome.ok) {
      const reason = signal.aborted ? 'interrupted' : 'exit-code';
      return nodes.finish(this.node.id, t0, {
        status: 'failed',
        reason,
        message: `agent ${work.agent?.id ?? this.node.task.agent.id}: ${work.outcome.failure?.reason ?? 'failed'}`,
        tail: work.tail,
        attempts: work.attempts ?? 1,
      });
    }
    const commit = await this.#commit(work, from);
    if (!commit) {
      nodes.note(this.node.id, 'the agent changed nothing');
      await this.ctx.run.repo.removeWorktree(this.#worktree);
      return nodes.finish(this.node.id, t0, { status: 'passed', tail: work.tail, attempts: work.attempts ?? 1 });
    }
    // Its base is the commit's parent unless the agent committed on its own: then git is asked.
    if (!commit.parents.includes(from) && !(await this.ctx.run.repo.isAncestor(from, commit.commit, this.#worktree))) {
      const message = `the agent rewrote its branch's history (its phase base ${from.slice(0, 10)} is no longer in it), so nothing was merged`;
      return nodes.finish(this.node.id, t0, { status: 'failed', reason: 'exit-code', message, tail: work.tail, attempts: work.attempts ?? 1 });
    }
    const { paths: changed, links } = await this.ctx.run.repo.changes(from, commit.commit, this.#worktree);
    const outside = this.#scopeCheck(changed, links);
    if (outside)
      return nodes.finish(this.node.id, t0, { status: 'failed', reason: 'exit-code', message: outside, tail: work.tail, attempts: work.attempts ?? 1 });
    await this.ctx.mergeQueue.turn(index, signal);
    const merged = await new TaskMerge(this.ctx, this.node, this.#worktree, this.ctx.mergeQueue).merge(
      commit.commit,
      async (tip) => {
        const since = await this.ctx.run.repo.changes(tip, 'HEAD', this.#worktree);
        return this.#scopeCheck(since.paths, since.links, [...this.ctx.run.config.merge.regenerate.keys()]);
      },
      signal,
    );
    if (!merged) this.ctx.mergeQueue.done(index, { id: this.node.task.id, prompt: this.node.task.prompt });
    if (merged)
      return nodes.finish(this.node.id, t0, { status: 'failed', reason: 'exit-code', message: merged, tail: work.tail, attempts: work.attempts ?? 1 });
    nodes.note(this.node.id, `${changed.length} ${changed.length === 1 ? 'file' : 'files'} changed, merged into ${this.ctx.run.integrationBranch}`);
    await this.ctx.run.repo.removeWorktree(this.#worktree);
    return nodes.finish(this.node.id, t0, { status: 'passed', tail: work.tail, attempts: work.attempts ?? 1 });
  }

  /** A task interrupted before restarts from its phase base, in a new worktree on a new branch. */
  async #prepareWorktree(): Promise<string> {
    const { repo } = this.ctx.run;
    const from = await this.ctx.taskBase();
    // Only a resumed run finds an earlier attempt's worktree; -f -B take over its registration and branch.
    if (existsSync(this.#worktree)) await repo.removeWorktree(this.#worktree);
    await repo.raw(['worktree', 'add', '-q', '-f', '-B', this.#branch, this.#worktree, from]);
    return from;
  }

  #runAgent(signal: AbortSignal): Promise<AgentResult> {
    const { task } = this.node;
    const scopeNote = task.scope.touch.length ? `\n\nYou may change only files matching: ${task.scope.touch.join(', ')}.` : '';
    const forbidNote = task.scope.forbid.length ? `\nDo not change files matching: ${task.scope.forbid.join(', ')}.` : '';
    const checkNote = this.ctx.selfCheck === 'off' ? '' : selfCheckAsk(this.ctx.gates.map((g) => g.name));
    return this.#agent(this.node.id, `${task.prompt}${scopeNote}${forbidNote}${checkNote}\n`, signal);
  }

  #agent(nodeId: string, prompt: string, signal: AbortSignal): Promise<AgentResult> {
    const { task } = this.node;
    return this.ctx.run.agents.run({
      nodeId,
      ref: task.agent.id,
      phase: this.ctx.phase,
      label: task.id,
      prompt,
      cwd: this.#worktree,
      forbid: forbiddenGlobs(task.scope),
      signal,
      selfCheck: this.ctx.selfCheck !== 'off',
      ...(task.timeoutMs !== undefined ? { timeoutMs: task.timeoutMs } : {}),
    });
  }

  /**
   * `self_check: required`: an agent that ended well but never checked its
   * work, or ended on a failing check, is sent back once, in the same
   * worktree, with that fact. What it then does is the task's work; the
   * phase's gates judge it either way.
   */
  async #checkedWork(work: AgentResult, signal: AbortSignal): Promise<AgentResult> {
    // An agent whose CLI cannot be given the MCP server has no check_gate to call: nothing to send it back for.
    const use = work.agent?.use;
    const canCheck = use === undefined || ADAPTERS[use].mcp;
    if (this.ctx.selfCheck !== 'required' || !work.outcome.ok || signal.aborted || !canCheck) return work;
    const verdict = selfCheckVerdict(this.ctx.run.selfChecks.of(this.node.id));
    if (verdict.kind === 'checked') return work;
    const why = verdict.kind === 'never' ? 'never called check_gate' : `ended on a failing check_gate call (${verdict.gates.join(', ')})`;
    this.ctx.run.nodes.note(this.node.id, `self-check: the agent ${why}: sent back once to check its work`);
    const again = await this.#agent(`${this.node.id}#self-check`, `${sendBackPrompt(verdict, this.node.task.prompt)}\n`, signal);
    const after = selfCheckVerdict(this.ctx.run.selfChecks.of(this.node.id));
    this.ctx.run.nodes.note(
      this.node.id,
      `self-check: after the send-back, ${after.kind === 'checked' ? 'its last check passed' : after.kind === 'never' ? 'it still never called check_gate' : `its last check still failed (${after.gates.join(', ')})`}`,
    );
    return { ...again, attempts: (work.attempts ?? 1) + (again.attempts ?? 1) };
  }

  /**
   * Commits what the agent left; the task's work is everything since its base,
   * commits the agent made itself included. Undefined: nothing changed.
   */
  async #commit(work: AgentResult, from: string): Promise<{ commit: string; parents: string[] } | undefined> {
    const { runId, repo } = this.ctx.run;
    await repo.commitAll(this.#worktree, `orchestra(${this.ctx.phase}): ${this.node.task.id}\n\nagent: ${work.agent?.id}\nrun: ${runId}`);
    const head = await repo.commitAndParents('HEAD', this.#worktree);
    return head.commit === from ? undefined : head;
  }

  /** Why the change may not be merged, or undefined. */
  #scopeCheck(changed: readonly string[], links: ReadonlyArray<{ path: string; target: string }>, generated: readonly string[] = []): string | undefined {
    const scope = this.node.task.scope;
    const withGenerated = generated.length ? { ...scope, shared: [...(scope.shared ?? []), ...generated.map((g) => `**/${g}`), ...generated] } : scope;
    const violations = [...scopeViolations(changed, withGenerated), ...escapingLinks(links), ...linksLeaving(this.#worktree, links)];
    if (violations.length === 0) return undefined;
    return `changed files outside its scope, so nothing was merged: ${violations.map((v) => `${showPath(v.path)} (${v.why})`).join(', ')}`;
  }
}
