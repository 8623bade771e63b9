import { BroadcastChannel } from 'node:worker_threads';
import Tinypool from 'tinypool';
import type { CommandSpec } from './process-runner.js';
import { CHANNEL, type CommandJobResult, type ControlMessage, type Job, type RuleResult, type WorkerMessage } from './worker.js';

/**
 * The worker_threads pool on the main thread's side. It also remembers every
 * process group a worker started, so that a second Ctrl-C (or a crash) can
 * kill them from here without waiting on any worker.
 */
export class WorkerPool {
  readonly #size: number;
  #pool: Tinypool | undefined;
  readonly #groups = new Set<number>();
  readonly #channel = new BroadcastChannel(CHANNEL);
  readonly #listeners = new Map<number, (m: WorkerMessage) => void>();
  #nextJob = 1;

  constructor(size: number) {
    this.#size = size;
    this.#channel.unref();
    this.#channel.onmessage = (event: unknown) => {
      const m = (event as { data: WorkerMessage }).data;
      this.#listeners.get(m.jobId)?.(m);
    };
  }

  /** Threads start on the first job: a run where everything is cached starts none. */
  #threads(): Tinypool {
    this.#pool ??= new Tinypool({ filename: new URL('./worker.js', import.meta.url).href, minThreads: 1, maxThreads: this.#size, idleTimeout: 1000 });
    return this.#pool;
  }

  async runCommand(
    spec: CommandSpec,
    onLine: (line: string) => void,
    signal: AbortSignal,
    parseAs?: Extract<Job, { kind: 'command' }>['parseAs'],
  ): Promise<CommandJobResult> {
    const jobId = this.#nextJob++;
    let pid: number | undefined;
    this.#listeners.set(jobId, (m) => {
      if (m.type === 'spawned') {
        pid = m.pid;
        this.#groups.add(m.pid);
      } else onLine(m.line);
    });
    const stop = (): void => this.#channel.postMessage({ type: 'stop', jobId, now: false } satisfies ControlMessage);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      const job: Job = { kind: 'command', jobId, spec, ...(parseAs ? { parseAs } : {}) };
      return (await this.#threads().run(job)) as CommandJobResult;
    } finally {
      signal.removeEventListener('abort', stop);
      this.#listeners.delete(jobId);
      if (pid !== undefined) this.#groups.delete(pid);
    }
  }

  async runRule(job: Extract<Job, { kind: 'rule' }>): Promise<RuleResult> {
    return (await this.#threads().run(job)) as RuleResult;
  }

  /** SIGKILL to every process group still alive, from the main thread. */
  killAll(): void {
    for (const pid of this.#groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  async destroy(): Promise<void> {
    this.#channel.close();
    await this.#pool?.destroy();
  }
}
