import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Repo } from '../../git/repo.js';
import { Workspace } from '../../workspace/layout.js';
import { RUN_ID } from '../../workspace/run-ids.js';
import { RunStateStore, type RunState } from '../../workspace/run-state.js';
import { styleFor } from '../../logger/style.js';
import { EXIT, usageFailure, type CommonOptions } from '../exit-codes.js';
import { loadOrReport } from './validate.js';

import type { RunOptions } from './run.js';

/** The runs with a state file; a state file that cannot be believed is said once, on stderr, and left out. */
function runStates(ws: Workspace): RunState[] {
  const { states, problems } = new RunStateStore(ws).list();
  for (const p of problems) process.stderr.write(`orchestra: warning: ${p.file}: ${p.message}; that run is left out\n`);
  return states;
}

/** The run a command names: its state, or exit 2 with what is wrong with the file. */
function namedRun(ws: Workspace, runId: string): RunState | number {
  const read = new RunStateStore(ws).read(runId);
  if (read.ok) return read.state;
  if (read.problem.kind === 'missing')
    return fail(`no run '${runId}' with a state to read`, "runs are listed by 'orchestra list'; only 'orchestra run' leaves a state (check runs do not)");
  return fail(`${read.problem.file}: ${read.problem.message}`, 'the file is not what orchestra wrote; nothing was changed');
}

/** The run a command is about: the one named (or exit 2 saying what is wrong with it), else the latest that `fits`. */
function chooseRun(ws: Workspace, runId: string | undefined, fits: (r: RunState) => boolean): RunState | number | undefined {
  if (runId !== undefined) return RUN_ID.test(runId) ? namedRun(ws, runId) : notAnId(runId);
  return runStates(ws).filter(fits).at(-1);
}

/** A run id never reaches a path unchecked. */
function notAnId(runId: string): number {
  return fail(`'${runId}' is not a run id (letters, digits, and . _ - after the first)`, "runs are listed by 'orchestra list'");
}

const fail = usageFailure;

/** `orchestra apply [run-id]`: merge a run's integration branch into the current branch, only on a clean tree. */
export async function applyCommand(opts: CommonOptions & { runId?: string; rebase?: boolean }): Promise<number> {
  const { config } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const ws = Workspace.of(config.root);
  const run = chooseRun(ws, opts.runId, (r) => r.ok);
  if (typeof run === 'number') return run;
  if (!run) return fail(opts.runId ? `no run '${opts.runId}'` : 'no run that held to apply', "runs are listed in .orchestra/runs/; 'orchestra run' makes one");
  if (!run.ok && !opts.runId) return fail(`run ${run.runId} did not hold`);
  const repo = new Repo(config.root);
  const dirty = (await repo.raw(['status', '--porcelain', '--untracked-files=no'])).trim();
  if (dirty !== '') return fail('the working tree has uncommitted changes; nothing was merged', 'commit or stash them, then apply again');
  if (opts.rebase) return rebaseApply(repo, ws, run);
  try {
    await repo.raw(['merge', '--no-ff', '--no-edit', '-m', `Merge orchestra run ${run.runId}`, run.integrationBranch]);
  } catch (e) {
    await repo.raw(['merge', '--abort']).catch(() => undefined);
    process.stderr.write(
      `orchestra: the merge of ${run.integrationBranch} conflicts; it was aborted and nothing changed\n  ${(e as Error).message.split('\n')[0]}\n`,
    );
    return EXIT.failed;
  }
  process.stdout.write(
    `${styleFor(process.stdout).green('merged')} ${run.integrationBranch} into ${(await repo.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim()}\n`,
  );
  return EXIT.ok;
}

/**
 * `apply --rebase`: the run's commits replayed onto your branch's tip in a
 * worktree of orchestra's (your tree is not touched while it happens), then
 * your branch fast-forwarded to them: a line of history, your commits made
 * meanwhile kept. A conflict aborts the replay and changes nothing.
 */
async function rebaseApply(repo: Repo, ws: Workspace, run: { runId: string; integrationBranch: string; base: string }): Promise<number> {
  const tmp = path.join(ws.worktreesDir, `apply-${run.runId}`);
  const head = (await repo.raw(['rev-parse', 'HEAD'])).trim();
  await repo.removeWorktree(tmp);
  await repo.raw(['worktree', 'add', '-q', '--detach', tmp, run.integrationBranch]);
  try {
    try {
      await repo.raw(['rebase', '-q', '--onto', head, run.base], tmp);
    } catch (e) {
      const files = (await repo.raw(['diff', '--name-only', '--diff-filter=U'], tmp).catch(() => '')).trim().split('\n').filter(Boolean);
      await repo.raw(['rebase', '--abort'], tmp).catch(() => undefined);
      process.stderr.write(
        `orchestra: replaying ${run.integrationBranch} onto your branch conflicts${files.length ? ` in ${files.join(', ')}` : ''}; it was aborted and nothing changed\n  ${(e as Error).message.split('\n')[0]}\n`,
      );
      return EXIT.failed;
    }
    const replayed = (await repo.raw(['rev-parse', 'HEAD'], tmp)).trim();
    await repo.raw(['merge', '--ff-only', '-q', replayed]);
  } finally {
    await repo.removeWorktree(tmp);
  }
  const branch = (await repo.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  process.stdout.write(`${styleFor(process.stdout).green('rebased')} ${run.integrationBranch} onto ${branch}\n`);
  return EXIT.ok;
}

/**
 * `orchestra clean [run-id]`: removes runs' worktrees and the branches whose
 * commits are all merged elsewhere; a branch with unmerged commits stays
 * unless --force.
 */
export async function cleanCommand(opts: CommonOptions & { runId?: string; force: boolean }): Promise<number> {
  const { config } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const ws = Workspace.of(config.root);
  const repo = new Repo(config.root);
  const worktrees = ws.worktreesDir;
  // A run id never reaches a path unchecked: `clean ../..` must not name a folder outside the workspace.
  if (opts.runId !== undefined && !RUN_ID.test(opts.runId)) return notAnId(opts.runId);
  const ids = opts.runId ? [opts.runId] : existsSync(worktrees) ? readdirSync(worktrees).filter((d) => RUN_ID.test(d)) : [];
  const style = styleFor(process.stdout);
  for (const id of ids) {
    const dir = path.join(worktrees, id);
    for (const wt of existsSync(dir) ? readdirSync(dir) : []) await repo.removeWorktree(path.join(dir, wt));
  }
  await repo.raw(['worktree', 'prune']);
  const branches = (await repo.raw(['for-each-ref', '--format=%(refname:short)', 'refs/heads/orchestra-task/', 'refs/heads/orchestra/']))
    .split('\n')
    .filter(Boolean);
  const chosen = opts.runId ? branches.filter((b) => b.includes(`/${opts.runId}`)) : branches;
  const kept: string[] = [];
  for (const b of chosen) {
    try {
      await repo.raw(['branch', opts.force ? '-D' : '-d', b]);
      process.stdout.write(`${style.green('deleted')} ${b}\n`);
    } catch {
      kept.push(b);
    }
  }
  for (const b of kept) process.stdout.write(`kept ${b}: it has commits not merged into your branch (--force deletes it)\n`);
  process.stdout.write(`removed the worktrees of ${ids.length} ${ids.length === 1 ? 'run' : 'runs'}\n`);
  return EXIT.ok;
}

/** `orchestra resume [run-id]`: continue a run that did not finish, from its last checkpoint. */
export async function resumeCommand(opts: Omit<RunOptions, 'resume'> & { runId?: string }): Promise<number> {
  const { config } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const state = chooseRun(Workspace.of(config.root), opts.runId, (r) => !r.ok);
  if (typeof state === 'number') return state;
  if (!state) return fail(opts.runId ? `no run '${opts.runId}'` : 'no unfinished run to resume');
  if (state.ok) return fail(`run ${state.runId} already held; there is nothing to resume`);
  const done = Object.keys(state.checkpoints);
  process.stderr.write(`orchestra: resuming ${state.runId}${done.length ? ` after ${done.join(', ')}` : ' from its start'}\n`);
  const { runCommand } = await import('./run.js');
  // The run's own id comes from its state: `--run-id` is for naming a new run.
  const { runId: _named, ...rest } = opts;
  return runCommand({ ...rest, resume: state });
}

/** `orchestra rollback <phase> [--run id]`: move the run's integration branch back to that phase's checkpoint. */
export async function rollbackCommand(opts: CommonOptions & { phase: string; runId?: string }): Promise<number> {
  const { config } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const ws = Workspace.of(config.root);
  const state = chooseRun(ws, opts.runId, (r) => r.checkpoints[opts.phase] !== undefined);
  if (typeof state === 'number') return state;
  if (!state) return fail(opts.runId ? `no run '${opts.runId}'` : `no run has a checkpoint for phase '${opts.phase}'`);
  const target = state.checkpoints[opts.phase];
  if (!target)
    return fail(`run ${state.runId} has no checkpoint for phase '${opts.phase}'`, `checkpoints: ${Object.keys(state.checkpoints).join(', ') || 'none'}`);
  const repo = new Repo(config.root);
  const worktree = ws.worktrees(state.runId).integration;
  if (existsSync(worktree)) await repo.raw(['reset', '-q', '--hard', target], worktree);
  else await repo.raw(['branch', '-f', state.integrationBranch, target]);
  // Checkpoints after the target are no longer on the branch.
  const kept: Record<string, string> = {};
  for (const [phase, sha] of Object.entries(state.checkpoints)) {
    const onBranch = await repo.raw(['merge-base', '--is-ancestor', sha, target]).then(
      () => true,
      () => false,
    );
    if (onBranch) kept[phase] = sha;
  }
  new RunStateStore(ws).write({ ...state, ok: false, finished: false, checkpoints: kept });
  process.stdout.write(
    `${styleFor(process.stdout).green('rolled back')} ${state.integrationBranch} to the checkpoint of ${opts.phase} (${target.slice(0, 10)}); 'orchestra resume ${state.runId}' redoes what follows\n`,
  );
  return EXIT.ok;
}

/** `orchestra patterns`: the fixes orchestra has learned, newest first. */
export async function patternsCommand(opts: CommonOptions & { json: boolean }): Promise<number> {
  const { config } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const { readPatterns } = await import('../../run/patterns.js');
  const { describeFailure, isPattern } = await import('./pattern-lines.js');
  const patterns = (readPatterns(Workspace.of(config.root).patternsFile) as unknown[]).filter(isPattern).reverse();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(patterns, null, 2)}\n`);
    return EXIT.ok;
  }
  if (patterns.length === 0) process.stdout.write('no learned fixes yet: they are recorded when a fix round turns a failing gate green\n');
  const style = styleFor(process.stdout);
  for (const p of patterns) {
    const files = [...p.diff.matchAll(/^\+\+\+ b\/(.+)$/gm)].map((m) => m[1]).join(', ');
    process.stdout.write(
      `${style.bold(p.gate)} ${style.dim(`(phase ${p.phase}, run ${p.runId}, ${p.at})`)}\n  failure: ${describeFailure(p.signature)}\n  fix touched: ${files || '(no files)'}\n`,
    );
  }
  return EXIT.ok;
}
