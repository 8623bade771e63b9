import path from 'node:path';
import { error } from '../../config/diagnostic.js';
import type { Config } from '../../config/types.js';
import { Repo } from '../../git/repo.js';
import { formatDiagnostics } from '../../logger/diagnostic-printer.js';
import { styleFor } from '../../logger/style.js';
import { Workspace } from '../../workspace/layout.js';
import type { RunState } from '../../workspace/run-state.js';
import { EXIT, usageFailure as fail, type CommonOptions } from '../exit-codes.js';
import { chooseRun } from './run-choice.js';
import { sandboxFor } from './sandbox-choice.js';
import { loadOrReport } from './validate.js';

export interface ApplyOptions extends CommonOptions {
  readonly runId?: string;
  readonly rebase?: boolean;
  /** Between SIGTERM and SIGKILL for a resolving agent or a gate that is stopped. */
  readonly graceMs?: number;
}

/**
 * `orchestra apply [run-id]`: a run's integration branch onto the current
 * branch, only on a clean tree. Where the branch moved during the run and
 * the two meet, the merge is made in a worktree of orchestra's, its
 * conflicts handled as the run's merge queue handles them, and the branch
 * fast-forwarded to the result only once it resolved and passed the run's
 * gates: a user commit is never lost, and a failure changes nothing.
 */
export async function applyCommand(opts: ApplyOptions): Promise<number> {
  const { config, outcome } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const ws = Workspace.of(config.root);
  const run = chooseRun(ws, opts.runId, (r) => r.ok);
  if (typeof run === 'number') return run;
  if (!run) return fail(opts.runId ? `no run '${opts.runId}'` : 'no run that held to apply', "runs are listed in .orchestra/runs/; 'orchestra run' makes one");
  // Only a run named by its id gets here without having held: what it did so far is applied, and said so.
  if (!run.ok) process.stderr.write(`orchestra: run ${run.runId} did not hold; applying what it did so far\n`);
  const repo = new Repo(config.root);
  // `orchestra clean` deletes a run's merged branch and leaves its state: say so rather than fail inside git.
  if (
    !(await repo.raw(['rev-parse', '-q', '--verify', `refs/heads/${run.integrationBranch}`]).then(
      () => true,
      () => false,
    ))
  )
    return fail(`run ${run.runId}'s branch ${run.integrationBranch} no longer exists`, "'orchestra clean' deletes a run's branch once it is merged");
  const dirty = (await repo.raw(['status', '--porcelain', '--untracked-files=no'])).trim();
  if (dirty !== '') return fail('the working tree has uncommitted changes; nothing was merged', 'commit or stash them, then apply again');
  const head = await repo.head();
  const branch = (await repo.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  const { generatedMatcher, generatedOnBothSides } = await import('../../run/conflict-rounds.js');
  const lockfiles = await generatedOnBothSides(repo, head, run.integrationBranch, generatedMatcher(config.merge.regenerate));
  const print = (ds: Parameters<typeof formatDiagnostics>[0]) =>
    process.stderr.write(`${formatDiagnostics(ds, outcome.sources, process.cwd(), styleFor(process.stderr))}\n`);
  const resolving = (how: 'merge' | 'rebase', conflicts: readonly string[]): Promise<number> => {
    const what = [conflicts.length ? `${conflicts.join(', ')} conflict` : '', lockfiles.length ? `${lockfiles.join(', ')} changed on both sides` : ''];
    process.stderr.write(`orchestra: ${branch} moved since run ${run.runId}; ${what.filter(Boolean).join('; ')}: resolving in a worktree of orchestra's\n`);
    return resolvedApply({ config, ws, run, repo, head, branch, graceMs: opts.graceMs ?? 5000, how, print });
  };
  if (opts.rebase) {
    const conflicts = lockfiles.length ? [] : await plainRebase(repo, ws, run, head);
    if (conflicts === undefined) {
      process.stdout.write(`${styleFor(process.stdout).green('rebased')} ${run.integrationBranch} onto ${branch}\n`);
      return EXIT.ok;
    }
    if ('stopped' in conflicts) {
      process.stderr.write(`orchestra: ${branch} could not be moved to the replayed run; nothing changed\n  ${conflicts.stopped}\n`);
      return EXIT.failed;
    }
    return resolving('rebase', conflicts);
  }
  // merge-tree --write-tree needs git 2.38 or later: an older git says so, not a stack trace.
  const conflicts = await repo.mergeConflicts(head, run.integrationBranch).catch((e: unknown) => gitSays(e));
  if (typeof conflicts === 'string') return fail(`git could not compute the merge (orchestra apply needs git 2.38 or later): ${conflicts}`);
  if (conflicts.length === 0 && lockfiles.length === 0) {
    try {
      await repo.raw(['merge', '--no-ff', '--no-edit', '-m', `Merge orchestra run ${run.runId}`, run.integrationBranch]);
    } catch (e) {
      // Not a conflict (merge-tree saw none): an untracked file of yours in the way, say. git said why.
      await repo.raw(['merge', '--abort']).catch(() => undefined);
      process.stderr.write(`orchestra: the merge of ${run.integrationBranch} stopped; nothing changed\n  ${gitSays(e)}\n`);
      return EXIT.failed;
    }
    process.stdout.write(`${styleFor(process.stdout).green('merged')} ${run.integrationBranch} into ${branch}\n`);
    return EXIT.ok;
  }
  return resolving('merge', conflicts);
}

interface Resolving {
  readonly config: Config;
  readonly ws: Workspace;
  readonly run: RunState;
  readonly repo: Repo;
  readonly head: string;
  readonly branch: string;
  readonly graceMs: number;
  readonly how: 'merge' | 'rebase';
  readonly print: (ds: Parameters<typeof formatDiagnostics>[0]) => void;
}

async function resolvedApply(r: Resolving): Promise<number> {
  const { config, ws, run, repo } = r;
  const sandbox = await sandboxFor(config, r.print);
  if (sandbox === null) return EXIT.usage;
  const { acquireLock } = await import('../../workspace/lock.js');
  const lock = acquireLock(ws, run.runId);
  if (!lock.ok) {
    r.print([error(`run ${lock.holder.runId} (pid ${lock.holder.pid}) is working in this repository; one at a time`, undefined, 'wait for it, then apply')]);
    return EXIT.usage;
  }
  const tmp = path.join(ws.worktrees(run.runId).root, 'apply');
  try {
    await repo.removeWorktree(tmp);
    // A merge is made on top of your branch; a rebase replays the run's branch onto it.
    await repo.raw(['worktree', 'add', '-q', '--detach', tmp, r.how === 'merge' ? r.head : run.integrationBranch]);
    const { Session } = await import('../../session/session.js');
    const { applyRun } = await import('../../run/apply-run.js');
    const session = await Session.open({ ws, runId: run.runId, reporters: [{ name: 'pretty' }], root: config.root });
    const outcome = await session.work(1, (pool, signal) =>
      applyRun({
        config,
        ws,
        state: run,
        bus: session.bus,
        pool,
        signal,
        graceMs: r.graceMs,
        worktree: tmp,
        userHead: r.head,
        branch: r.branch,
        how: r.how,
        ...(sandbox ? { sandbox } : {}),
      }),
    );
    const style = styleFor(process.stdout);
    if (!outcome.ok) {
      process.stderr.write(`orchestra: run ${run.runId} was not applied: ${outcome.reason}; ${r.branch} and your working tree did not change\n`);
      return outcome.reason === 'interrupted' ? EXIT.interrupted : EXIT.failed;
    }
    // Your branch moves only forward, and only from where it was when apply began.
    if ((await repo.head()) !== r.head) {
      process.stderr.write(`orchestra: ${r.branch} moved while apply worked; nothing changed (the resolved merge is ${outcome.commit})\n`);
      return EXIT.failed;
    }
    try {
      await repo.raw(['merge', '--ff-only', '-q', outcome.commit]);
    } catch (e) {
      process.stderr.write(`orchestra: ${r.branch} could not be moved to the resolved merge ${outcome.commit}; nothing changed\n  ${gitSays(e)}\n`);
      return EXIT.failed;
    }
    const resolved = outcome.resolved.length
      ? ` (${outcome.resolved.join(', ')} resolved; the record is in ${path.relative(process.cwd(), ws.run(run.runId).events) || '.'})`
      : '';
    process.stdout.write(
      `${style.green(r.how === 'merge' ? 'merged' : 'rebased')} ${run.integrationBranch} ${r.how === 'merge' ? 'into' : 'onto'} ${r.branch}${resolved}\n`,
    );
    return EXIT.ok;
  } finally {
    await repo.removeWorktree(tmp);
    lock.release();
  }
}

/**
 * `apply --rebase` with nothing to resolve: the run's commits replayed onto
 * your branch's tip in a worktree of orchestra's (your tree is not touched
 * while it happens), then your branch fast-forwarded to them: a line of
 * history, your commits made meanwhile kept. Undefined once done; at a
 * conflict, the replay is aborted (nothing changed) and its files returned;
 * `stopped`: git would not move your branch (why, in its words).
 */
async function plainRebase(repo: Repo, ws: Workspace, run: RunState, head: string): Promise<string[] | { stopped: string } | undefined> {
  const tmp = path.join(ws.worktreesDir, `apply-${run.runId}`);
  await repo.removeWorktree(tmp);
  await repo.raw(['worktree', 'add', '-q', '--detach', tmp, run.integrationBranch]);
  try {
    const { RebaseSteps } = await import('../../git/rebase-steps.js');
    const steps = new RebaseSteps(repo, tmp);
    const conflicts = await steps.start(head, run.base);
    if (conflicts.length) {
      await steps.abort();
      return conflicts;
    }
    // An untracked file of yours in the way stops the fast-forward before it changes anything.
    return await repo.raw(['merge', '--ff-only', '-q', await repo.revParse('HEAD', tmp)]).then(
      () => undefined,
      (e: unknown) => ({ stopped: gitSays(e) }),
    );
  } finally {
    await repo.removeWorktree(tmp);
  }
}

/** What git said (Repo's errors start with the command line, which says nothing to the user), a few lines at most. */
function gitSays(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).replace(/^git [^\n]*?: (?=error|fatal|hint)/, '');
  return text.split('\n').slice(0, 6).join('\n  ');
}
