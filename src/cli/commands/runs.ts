import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Repo } from '../../git/repo.js';
import { Workspace } from '../../workspace/layout.js';
import { RUN_ID } from '../../workspace/run-ids.js';
import { styleFor } from '../../logger/style.js';
import { EXIT, usageFailure, type CommonOptions } from '../exit-codes.js';
import { RunStateStore } from '../../workspace/run-state.js';
import { loadOrReport } from './validate.js';
import { chooseRun, notAnId } from './run-choice.js';

import type { RunOptions } from './run.js';

const fail = usageFailure;

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
