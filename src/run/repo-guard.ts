import { gitDirsOf, repoChanges, restoreRepo, snapshotRepo, type GitDirs, type RepoSnapshot } from '../git/guard.js';
import type { Repo } from '../git/repo.js';
import { Mutex } from './agent-slots.js';

/**
 * After every agent, the user's repository is compared with how the run
 * found it; anything an agent moved is put back where it can be, and the run
 * is stopped. One check at a time: agents finish side by side.
 */
class RepoGuard {
  readonly #lock = new Mutex();

  private constructor(
    private readonly repo: Repo,
    private readonly dirs: GitDirs,
    private readonly before: RepoSnapshot,
  ) {}

  static async start(repo: Repo): Promise<RepoGuard> {
    const dirs = await gitDirsOf(repo);
    return new RepoGuard(repo, dirs, await snapshotRepo(repo, dirs));
  }

  /** Undefined when nothing moved; else what moved, what was put back, and what could not be. A check that fails stops the run too, saying why. */
  verify(): Promise<string | undefined> {
    return this.#lock.run(async () => {
      let changes: string[];
      try {
        changes = repoChanges(this.before, await snapshotRepo(this.repo, this.dirs));
      } catch (e) {
        return `left your repository in a state orchestra could not check (${(e as Error).message.split('\n')[0]})`;
      }
      if (changes.length === 0) return undefined;
      const left = await restoreRepo(this.repo, this.dirs, this.before).catch((e: Error) => [`nothing: ${e.message.split('\n')[0]}`]);
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
