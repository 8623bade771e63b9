import { commonDirOf, repoChanges, restoreRepo, snapshotRepo, type RepoSnapshot } from '../git/guard.js';
import type { Repo } from '../git/repo.js';
import { Mutex } from './agent-slots.js';

/**
 * After every agent, the user's repository is compared with how the run
 * found it; anything an agent moved is put back where it can be, and the run
 * is stopped. One check at a time: agents finish side by side.
 */
export class RepoGuard {
  readonly #lock = new Mutex();

  private constructor(
    private readonly repo: Repo,
    private readonly commonDir: string,
    private readonly before: RepoSnapshot,
  ) {}

  static async start(repo: Repo): Promise<RepoGuard> {
    const commonDir = await commonDirOf(repo);
    return new RepoGuard(repo, commonDir, await snapshotRepo(repo, commonDir));
  }

  /** Undefined when nothing moved; else what moved, what was put back, and what could not be. */
  verify(): Promise<string | undefined> {
    return this.#lock.run(async () => {
      const changes = repoChanges(this.before, await snapshotRepo(this.repo, this.commonDir));
      if (changes.length === 0) return undefined;
      const left = await restoreRepo(this.repo, this.commonDir, this.before);
      const restored = left.length === 0 ? 'all of it was put back' : `not put back: ${left.join('; ')}`;
      return `changed your repository, which no agent may touch: ${changes.join('; ')} (${restored})`;
    });
  }
}

/** The guard with the run's stop: the first change found aborts the walk, so nothing new starts. */
export class TamperStop {
  readonly #stop = new AbortController();
  #tripped = false;

  private constructor(private readonly guard: RepoGuard) {}

  static async start(repo: Repo): Promise<TamperStop> {
    return new TamperStop(await RepoGuard.start(repo));
  }

  get tripped(): boolean {
    return this.#tripped;
  }

  /** The signal the walk obeys: the user's (Ctrl-C) or this stop. */
  signal(user: AbortSignal): AbortSignal {
    return AbortSignal.any([user, this.#stop.signal]);
  }

  async verify(): Promise<string | undefined> {
    const found = await this.guard.verify();
    if (found && !this.#tripped) {
      this.#tripped = true;
      this.#stop.abort();
    }
    return found;
  }
}
