import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command, Config } from '../config/types.js';
import type { WorkerPool } from '../exec/pool.js';
import { userShell } from '../exec/launch.js';
import type { AgentSandbox } from '../sandbox/sandbox.js';
import type { RunDir } from '../workspace/layout.js';
import { Mutex } from './agent-slots.js';
import { DEPENDENCY_FILES, setupPlan, type SetupPlan } from './setup-plan.js';
import { prepareWorktree } from './worktree-prep.js';

/** The plan for a config, from the files at its root. */
export function setupPlanFor(config: Pick<Config, 'root' | 'worktree'>): SetupPlan {
  return setupPlan(config.worktree, (f) => existsSync(path.join(config.root, f)));
}

export interface WorktreeSetupDeps {
  readonly root: string;
  readonly plan: SetupPlan;
  readonly pool: Pick<WorkerPool, 'runCommand'>;
  readonly runDir: RunDir;
  readonly graceMs: number;
  readonly sandbox?: AgentSandbox;
  readonly note: (nodeId: string, message: string) => void;
}

/**
 * Each new worktree made ready before its agent or gates (setup-plan.ts says
 * how). The setup runs the repository's own code (install scripts a task may
 * have changed), so it runs in the sandbox as an agent does, with the package
 * managers' caches writable. The integration worktree is made ready again
 * whenever its lockfiles change (a task added a dependency).
 */
export class WorktreeSetup {
  readonly #lock = new Mutex();
  #integrationKey: string | undefined;

  constructor(private readonly deps: WorktreeSetupDeps) {}

  get plan(): SetupPlan {
    return this.deps.plan;
  }

  /**
   * A task's new worktree: why it is not ready, or undefined. Its log is the
   * node's `setup:` log. `mayChange`: whether the task's scope lets it change
   * a path; a task that may change the lockfile gets its own copy of the
   * dependency folder, not a borrowed (read-only) link, so that it can add a
   * dependency.
   */
  prepare(worktree: string, nodeId: string, signal: AbortSignal, mayChange: (file: string) => boolean = () => false): Promise<string | undefined> {
    const { reuse } = this.deps.plan;
    // Its own copy, so that it can add a dependency: about 1 s for 170 MB here, where `npm ci` took 21 s.
    const plan = reuse && (mayChange(reuse.lockfile) || mayChange('package.json')) ? { ...this.deps.plan, reuse: { ...reuse, copy: true } } : this.deps.plan;
    return this.#prepare(worktree, nodeId, signal, plan);
  }

  /** The integration worktree before a gate: set up once per distinct set of lockfiles. */
  integrationReady(worktree: string, nodeId: string, signal: AbortSignal): Promise<string | undefined> {
    return this.#lock.run(async () => {
      const key = this.#lockfilesKey(worktree);
      if (key === this.#integrationKey) return undefined;
      const failed = await this.#prepare(worktree, nodeId, signal, this.deps.plan);
      if (!failed) this.#integrationKey = key;
      return failed;
    });
  }

  async #prepare(worktree: string, nodeId: string, signal: AbortSignal, plan: SetupPlan): Promise<string | undefined> {
    const { root } = this.deps;
    if (plan.copy.length + plan.link.length + plan.setup.length === 0) return undefined;
    const logFile = this.deps.runDir.logFile(`setup:${nodeId}`);
    const result = await prepareWorktree(worktree, root, plan, (command, cwd) => this.run(command, cwd, logFile, signal));
    for (const n of result.notes) this.deps.note(nodeId, n);
    return result.failed ? `${result.failed} (log: ${path.relative(root, logFile)})` : undefined;
  }

  /** One command of the repository's (a setup step, a lockfile's regeneration) in a worktree, in the sandbox: why it failed, or undefined. */
  async run(command: Command, cwd: string, logFile: string, signal: AbortSignal): Promise<string | undefined> {
    const shell = userShell();
    const argv = 'shell' in command ? [typeof shell === 'string' ? shell : '/bin/sh', '-c', command.shell] : [...command.argv];
    // The package caches are writable in every sandbox (sandbox/state-dirs.ts).
    const boxed = this.deps.sandbox?.wrap({
      argv,
      workdir: cwd,
      env: {},
      readable: [],
      scratch: this.deps.runDir.sandboxScratch(`setup-${path.basename(cwd)}`),
    });
    try {
      const r = await this.deps.pool.runCommand(
        {
          command: { argv: boxed?.argv ?? argv },
          ...(boxed ? { wrapped: true } : {}),
          cwd,
          env: {},
          timeoutMs: this.deps.plan.timeoutMs,
          graceMs: this.deps.graceMs,
          logFile,
          tailBytes: 4096,
        },
        { onLine: () => undefined },
        signal,
      );
      if (r.timedOut) return `timed out after ${Math.round(this.deps.plan.timeoutMs / 1000)}s`;
      if (r.spawnError !== undefined) return `could not start: ${r.spawnError}`;
      if (r.lost !== undefined) return `was lost: ${r.lost}`;
      if (r.exitCode !== 0) return r.signal ? `was killed by ${r.signal}` : `exited ${r.exitCode}`;
      return undefined;
    } finally {
      boxed?.dispose();
    }
  }

  /** The content of the lockfiles the plan knows of, hashed: what decides whether the integration tree needs a new setup. */
  #lockfilesKey(worktree: string): string {
    const h = createHash('sha256');
    for (const f of DEPENDENCY_FILES) {
      const file = path.join(worktree, f);
      h.update(`${f}\0${existsSync(file) ? readFileSync(file) : ''}\0`);
    }
    return h.digest('hex');
  }
}
