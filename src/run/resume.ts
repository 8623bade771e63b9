import type { Repo } from '../git/repo.js';
import type { RunState } from '../workspace/run-state.js';

/**
 * Brings back a run's integration worktree at its last checkpoint: phases
 * after it are redone from there (exact for phases that run one after another;
 * two unfinished phases that ran side by side both start again).
 */
export async function prepareResume(repo: Repo, state: RunState, integration: string): Promise<void> {
  await repo.removeWorktree(integration);
  await repo.raw(['worktree', 'prune']);
  const history = (await repo.raw(['rev-list', state.integrationBranch])).split('\n').filter(Boolean);
  const done = new Set(Object.values(state.checkpoints));
  const last = history.find((c) => done.has(c)) ?? state.base;
  await repo.raw(['branch', '-f', state.integrationBranch, last]);
  await repo.raw(['worktree', 'add', '-q', integration, state.integrationBranch]);
}
