import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Repo } from './repo.js';

/**
 * A rebase in a worktree of orchestra's, one stop at a time: each call
 * returns the files the current stop left conflicted, or [] once the rebase
 * is through. The editor is never opened (a replayed commit keeps its
 * message), and no hook runs (Repo's own safe settings).
 */
export class RebaseSteps {
  constructor(
    private readonly repo: Repo,
    private readonly cwd: string,
  ) {}

  /** `git rebase --onto <onto> <upstream>` of the worktree's HEAD. */
  async start(onto: string, upstream: string): Promise<string[]> {
    return this.#stopOr(() => this.repo.raw(['rebase', '-q', '--onto', onto, upstream], this.cwd));
  }

  /** The stop's resolution staged (setup paths left out) and the replay carried on. */
  async continue(): Promise<string[]> {
    await this.repo.stageAll(this.cwd);
    // A resolution that leaves the commit with nothing of its own is dropped, as `git rebase --skip` would.
    const staged = await this.repo.raw(['diff', '--cached', '--name-only'], this.cwd);
    if (staged.trim() === '') return this.#stopOr(() => this.repo.raw(['rebase', '--skip'], this.cwd));
    return this.#stopOr(() => this.repo.raw(['-c', 'core.editor=true', 'rebase', '--continue'], this.cwd));
  }

  async abort(): Promise<void> {
    if (await this.inProgress()) await this.repo.raw(['rebase', '--abort'], this.cwd).catch(() => undefined);
  }

  /** The conflict markers put back in these files, as the stop first left them (a resolution that failed). */
  async redo(files: readonly string[]): Promise<void> {
    await this.repo.raw(['checkout', '-m', '--', ...files], this.cwd);
  }

  /** The subject of the commit being replayed at this stop. */
  async replaying(): Promise<string> {
    return (await this.repo.raw(['log', '-1', '--format=%s', 'REBASE_HEAD'], this.cwd).catch(() => '')).trim();
  }

  async inProgress(): Promise<boolean> {
    const dir = (await this.repo.raw(['rev-parse', '--git-path', 'rebase-merge'], this.cwd)).trim();
    return existsSync(path.resolve(this.cwd, dir));
  }

  async #stopOr(step: () => Promise<unknown>): Promise<string[]> {
    try {
      await step();
    } catch (e) {
      const conflicted = (await this.repo.raw(['diff', '--name-only', '--diff-filter=U', '-z'], this.cwd)).split('\0').filter(Boolean);
      // A failure that is not a conflict (a bug, a broken repository) is not a stop to resolve.
      if (conflicted.length === 0) throw e;
      return conflicted;
    }
    return (await this.inProgress()) ? this.#stopOr(() => Promise.reject(new Error('the rebase stopped without a conflict'))) : [];
  }
}
