import { execFile } from 'node:child_process';
import { Mutex } from '../util/mutex.js';
import { firstBytes } from './bounded-output.js';

/** The most of a diff's stat and of its hunks read for a prompt (which cuts further). */
const DIFF_STAT_BYTES = 16 * 1024;
const DIFF_PATCH_BYTES = 64 * 1024;

/**
 * Settings on every git call orchestra makes: its own identity, no signing,
 * and nothing that runs a program the repository's config or an agent could
 * have named (hooks, an fsmonitor, an external diff, a pager). An agent that
 * wrote a hook into `.git/hooks` or `core.fsmonitor` into `.git/config`
 * does not get it run by orchestra's commits and merges.
 */
const GIT_SAFE_CONFIG = [
  '-c',
  'user.name=orchestra',
  '-c',
  'user.email=orchestra@localhost',
  '-c',
  'commit.gpgsign=false',
  '-c',
  'tag.gpgsign=false',
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'core.pager=cat',
  '-c',
  'diff.external=',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
];

/** Replacement refs (`refs/replace/`) would let a commit show orchestra's scope check a tree other than the one it merges. */
const GIT_SAFE_ENV = { ...process.env, GIT_NO_REPLACE_OBJECTS: '1' };

/**
 * The git operations a run needs. Every call names the directory it works in:
 * the user's checkout is only ever read (HEAD); all writing happens in
 * orchestra's own worktrees, branches and tags.
 *
 * git is run directly (execFile, argv only): simple-git, measured here, added
 * about 50 ms to each `worktree add`, `commit` and `worktree remove`, which
 * made a no-op task cost five times its git work.
 */
/** git's words when another git process holds a lock it needs. */
const LOCKED = /Unable to create '[^']*\.lock': File exists|could not lock config file [^:]*: File exists/;

export class Repo {
  /**
   * `setupPaths`: what a worktree's setup put there (a copied `.env`, a
   * borrowed `node_modules`): never staged by commitAll, never removed by
   * resetWorktree, whether or not .gitignore names them.
   */
  constructor(
    readonly root: string,
    private readonly setupPaths: readonly string[] = [],
  ) {}

  async raw(args: string[], cwd = this.root): Promise<string> {
    // Two `git worktree add`s at once read each other's half-made registration ("failed to read
    // .git/worktrees/<name>/commondir", seen with tasks starting together): one worktree command at a time.
    if (args[0] === 'worktree') return this.#worktrees.run(() => this.#raw(args, cwd));
    return this.#raw(args, cwd);
  }

  readonly #worktrees = new Mutex();

  async #raw(args: string[], cwd: string): Promise<string> {
    // Tasks work side by side in one repository; git takes a lock file for each ref
    // and config it writes, and a second writer fails rather than waits. Waiting a
    // little and trying again is what git's own documentation advises.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(args, cwd);
      } catch (err) {
        if (attempt >= 5 || !LOCKED.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 20 * attempt * attempt));
      }
    }
  }

  private once(args: string[], cwd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('git', [...GIT_SAFE_CONFIG, ...args], { cwd, env: GIT_SAFE_ENV, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')}: ${(stderr || err.message).trim()}`));
        else resolve(stdout);
      });
    });
  }

  /**
   * The files a merge of `theirs` into `ours` would leave conflicted, worked out
   * in git's object store (merge-tree), so no worktree or index is touched.
   */
  mergeConflicts(ours: string, theirs: string): Promise<string[]> {
    const args = [...GIT_SAFE_CONFIG, 'merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs];
    return new Promise((resolve, reject) => {
      execFile('git', args, { cwd: this.root, env: GIT_SAFE_ENV, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        // Exit 1 is git's "it conflicts": the tree's id, then the conflicted paths.
        if (err && err.code !== 1) reject(new Error(`git merge-tree: ${(stderr || err.message).trim()}`));
        else resolve(err ? stdout.split('\n').slice(1).filter(Boolean) : []);
      });
    });
  }

  /** The repository's top folder (where .github/ lives); the root itself outside git. */
  async topLevel(): Promise<string> {
    return (await this.raw(['rev-parse', '--show-toplevel']).catch(() => '')).trim() || this.root;
  }

  /** The branch a CI workflow should run on pushes to: origin's default, else init.defaultBranch, else main. */
  async defaultBranch(): Promise<string> {
    const git = async (...args: string[]) => (await this.raw(args).catch(() => '')).trim();
    return (await git('symbolic-ref', '--short', 'refs/remotes/origin/HEAD')).replace(/^origin\//, '') || (await git('config', 'init.defaultBranch')) || 'main';
  }

  async head(): Promise<string> {
    return (await this.raw(['rev-parse', 'HEAD'])).trim();
  }

  async isRepo(): Promise<boolean> {
    try {
      await this.raw(['rev-parse', '--verify', 'HEAD']);
      return true;
    } catch {
      return false;
    }
  }

  /** A new worktree at `path` on a new branch `branch` starting at `at`. */
  async addWorktree(path: string, branch: string, at: string): Promise<void> {
    await this.raw(['worktree', 'add', '-q', '-b', branch, path, at]);
  }

  async removeWorktree(path: string): Promise<void> {
    await this.raw(['worktree', 'remove', '--force', path]).catch(() => undefined);
  }

  /** Puts a worktree back at its HEAD: tracked files restored, untracked ones removed. */
  async resetWorktree(cwd: string): Promise<void> {
    await this.raw(['checkout', '--', '.'], cwd);
    await this.raw(['clean', '-fdq', ...this.setupPaths.flatMap((p) => ['-e', `/${p}`])], cwd);
  }

  /** Commits everything in a worktree; false when nothing changed. */
  async commitAll(cwd: string, message: string): Promise<boolean> {
    await this.stageAll(cwd);
    const staged = (await this.raw(['diff', '--cached', '--name-only'], cwd)).trim();
    if (staged === '') return false;
    await this.raw(['commit', '-q', '--no-verify', '-m', message], cwd);
    return true;
  }

  /** Whether `ancestor` is in the history of `descendant`. */
  async isAncestor(ancestor: string, descendant: string, cwd = this.root): Promise<boolean> {
    return this.raw(['merge-base', '--is-ancestor', ancestor, descendant], cwd).then(
      () => true,
      () => false,
    );
  }

  /**
   * What changed between two commits, in one call: every path (renames as
   * both paths), and the symbolic links among them with where each points.
   */
  async changes(from: string, to: string, cwd = this.root): Promise<{ paths: string[]; links: Array<{ path: string; target: string }> }> {
    const out = (await this.raw(['diff', '--no-ext-diff', '--no-textconv', '--raw', '--no-renames', '--no-abbrev', '-z', from, to], cwd)).split('\0');
    const paths: string[] = [];
    const linkBlobs: Array<{ path: string; blob: string }> = [];
    // -z --raw: ":<old mode> <new mode> <old sha> <new sha> <status>", then the path, each ended by NUL.
    for (let i = 0; i + 1 < out.length; i += 2) {
      const m = /^:\d+ (\d+) [0-9a-f]+ ([0-9a-f]+) \w+$/.exec(out[i] as string);
      const file = out[i + 1] as string;
      if (!m || !file) continue;
      paths.push(file);
      if (m[1] === '120000') linkBlobs.push({ path: file, blob: m[2] as string });
    }
    const links = [];
    for (const l of linkBlobs) links.push({ path: l.path, target: await this.raw(['cat-file', 'blob', l.blob], cwd) });
    return { paths, links };
  }

  /** A commit and its parents: `git rev-list --parents -n 1`. */
  async commitAndParents(ref: string, cwd = this.root): Promise<{ commit: string; parents: string[] }> {
    const [commit = '', ...parents] = (await this.raw(['rev-list', '--parents', '-n', '1', ref], cwd)).trim().split(' ');
    return { commit, parents };
  }

  /** Paths changed between two commits (renames as both paths). */
  async changedPaths(from: string, to: string, cwd = this.root): Promise<string[]> {
    const out = await this.raw(['diff', '--no-ext-diff', '--no-textconv', '--name-only', '--no-renames', '-z', from, to], cwd);
    return out.split('\0').filter(Boolean);
  }

  /**
   * What changed, for a prompt: the diff stat (every file, bounded) and then
   * the first hunks, bounded. git is stopped once it has given enough, so a
   * 300 MB change costs 80 KB, not a buffer that overflows.
   */
  async diff(from: string, to: string, cwd = this.root): Promise<string> {
    const git = (args: string[], max: number) =>
      firstBytes('git', [...GIT_SAFE_CONFIG, 'diff', '--no-ext-diff', '--no-textconv', ...args, from, to], { cwd, env: GIT_SAFE_ENV }, max);
    const stat = await git(['--stat=160', '--summary'], DIFF_STAT_BYTES);
    const patch = await git(['--patch'], DIFF_PATCH_BYTES);
    if (!stat.text.trim() && !patch.text.trim()) return '';
    return [
      stat.text.trimEnd(),
      ...(stat.cut ? [`… (the stat is cut at ${DIFF_STAT_BYTES / 1024} KB)`] : []),
      '',
      patch.text.trimEnd(),
      ...(patch.cut ? [`… (the diff is cut at ${DIFF_PATCH_BYTES / 1024} KB; the stat above names every file)`] : []),
    ].join('\n');
  }

  /** Merges a branch into the worktree's branch; on a conflict the merge is aborted. */
  async merge(cwd: string, branch: string, message: string): Promise<{ ok: true } | { ok: false; conflict: string }> {
    try {
      await this.raw(['merge', '--no-ff', '--no-verify', '-m', message, branch], cwd);
      return { ok: true };
    } catch (e) {
      await this.raw(['merge', '--abort'], cwd).catch(() => undefined);
      return { ok: false, conflict: (e as Error).message.split('\n')[0] ?? 'merge failed' };
    }
  }

  /**
   * Merges `ref` into the worktree's branch and, on a conflict, leaves the
   * merge in progress (markers in the files) for someone to resolve: the
   * conflicted paths, or [] when it merged cleanly.
   */
  async mergeKeepingConflicts(cwd: string, ref: string, message: string): Promise<string[]> {
    try {
      // --no-commit: even a clean merge stays open, so that generated files can be made again before it is concluded.
      await this.raw(['merge', '--no-ff', '--no-commit', '--no-verify', '-m', message, ref], cwd);
      return [];
    } catch (e) {
      const conflicted = (await this.raw(['diff', '--name-only', '--diff-filter=U', '-z'], cwd)).split('\0').filter(Boolean);
      if (conflicted.length === 0) throw e;
      return conflicted;
    }
  }

  async abortMerge(cwd: string): Promise<void> {
    await this.raw(['merge', '--abort'], cwd).catch(() => undefined);
  }

  /** Ends a merge in progress with what the worktree holds now (setup paths left out), under git's own merge message; nothing when none is open. */
  async concludeMerge(cwd: string): Promise<void> {
    const open = await this.raw(['rev-parse', '-q', '--verify', 'MERGE_HEAD'], cwd).then(
      () => true,
      () => false,
    );
    if (!open) return;
    await this.stageAll(cwd);
    await this.raw(['commit', '-q', '--no-verify', '--no-edit'], cwd);
  }

  /** Everything in the worktree staged, except what its setup put there (never committed). */
  async stageAll(cwd: string): Promise<void> {
    await this.raw(['add', '-A'], cwd);
    // Unstaged again, not excluded from the add: git refuses an exclude pathspec that names an ignored file.
    if (this.setupPaths.length) await this.raw(['reset', '-q', 'HEAD', '--', ...this.setupPaths.map((p) => `:(top,literal)${p}`)], cwd);
  }

  async commitEmpty(cwd: string, message: string): Promise<string> {
    await this.raw(['commit', '-q', '--no-verify', '--allow-empty', '-m', message], cwd);
    return (await this.raw(['rev-parse', 'HEAD'], cwd)).trim();
  }

  async tag(name: string, at: string): Promise<void> {
    await this.raw(['tag', '-f', name, at]);
  }

  async revParse(ref: string, cwd = this.root): Promise<string> {
    return (await this.raw(['rev-parse', ref], cwd)).trim();
  }
}
