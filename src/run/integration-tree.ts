import type { Repo } from '../git/repo.js';
import type { Mutex } from './agent-slots.js';

/** The fix loop's and the review's view of the integration worktree: a fake in tests. */
export interface WorkTree {
  /** Where agents working on it run. */
  readonly dir: string;
  /** Runs `work` as the only writer of the tree. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Drops what gates left behind (build output, caches): not the fix agent's to commit. Inside `exclusive`. */
  clean(): Promise<void>;
  /** Commits everything; nothing when there is nothing to commit. Inside `exclusive`. */
  commit(message: string): Promise<void>;
  head(): Promise<string>;
  diff(from: string, to: string): Promise<string>;
}

/** The integration worktree through git, one writer at a time. */
export class IntegrationTree implements WorkTree {
  constructor(
    private readonly repo: Repo,
    readonly dir: string,
    private readonly lock: Mutex,
  ) {}

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.lock.run(work);
  }

  clean(): Promise<void> {
    return this.repo.resetWorktree(this.dir);
  }

  async commit(message: string): Promise<void> {
    await this.repo.commitAll(this.dir, message);
  }

  head(): Promise<string> {
    return this.repo.revParse('HEAD', this.dir);
  }

  diff(from: string, to: string): Promise<string> {
    return this.repo.diff(from, to, this.dir);
  }
}
