import { MessageChannel } from 'node:worker_threads';
import Tinypool from 'tinypool';
import type { CommandResult, CommandSpec } from './process-runner.js';
import type { ControlMessage, Job, RuleResult, WorkerMessage } from './worker.js';

/**
 * The worker_threads pool on the main thread's side. It also remembers every
 * process group a worker started, so that a second Ctrl-C (or a crash) can
 * kill them from here without waiting on any worker.
 */
export class WorkerPool {
  readonly #pool: Tinypool;
  readonly #groups = new Set<number>();

  constructor(size: number) {
    this.#pool = new Tinypool({ filename: new URL('./worker.js', import.meta.url).href, minThreads: 1, maxThreads: size, idleTimeout: 1000 });
  }

  async runCommand(spec: CommandSpec, onLine: (line: string) => void, signal: AbortSignal): Promise<CommandResult> {
    const { port1, port2 } = new MessageChannel();
    let pid: number | undefined;
    port1.on('message', (m: WorkerMessage) => {
      if (m.type === 'spawned') {
        pid = m.pid;
        this.#groups.add(m.pid);
      } else onLine(m.line);
    });
    const stop = (): void => port1.postMessage({ type: 'stop', now: false } satisfies ControlMessage);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      const job: Job = { kind: 'command', spec, port: port2 };
      return (await this.#pool.run(job, { transferList: [port2] })) as CommandResult;
    } finally {
      signal.removeEventListener('abort', stop);
      if (pid !== undefined) this.#groups.delete(pid);
      port1.close();
    }
  }

  async runRule(job: Extract<Job, { kind: 'rule' }>): Promise<RuleResult> {
    return (await this.#pool.run(job)) as RuleResult;
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
    await this.#pool.destroy();
  }
}
