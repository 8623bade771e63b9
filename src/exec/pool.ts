import { BroadcastChannel } from 'node:worker_threads';
import type Tinypool from 'tinypool';
import type { AgentEvent } from '../agents/types.js';
import type { AdapterName } from '../config/types.js';
import { unreachable } from '../util/unreachable.js';
import type { GroupLog } from '../workspace/process-groups.js';
import type { CommandSpec, RunningCommand } from './process-runner.js';
import { CHANNEL } from './job-channel.js';
import type { CommandJobResult, ControlMessage, Job, RuleResult, WorkerMessage } from './worker.js';

/** process-runner, once a command has loaded it. */
let runner: typeof import('./process-runner.js') | undefined;

/**
 * The longest wait for agent events still on their way. The channel is
 * unref'd (it must not keep orchestra alive), so the wait holds a timer: with
 * nothing else pending, Node would otherwise end the process mid-wait.
 */
const EVENTS_WAIT_MS = 5000;

function arrival(register: (resolve: () => void) => void, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    register(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** What the caller of `runCommand` hears while the command runs. */
export interface CommandWatch {
  onLine(line: string): void;
  /** Read the output through this adapter's parser as it is written. */
  readonly parseAs?: AdapterName;
  onAgentEvent?(event: AgentEvent): void;
}

/**
 * The worker_threads pool on the main thread's side. It also remembers every
 * process group a worker started, so that a second Ctrl-C (or a crash) can
 * kill them from here without waiting on any worker.
 */
export class WorkerPool {
  readonly #size: number;
  #pool: Tinypool | undefined;
  readonly #groups = new Set<number>();
  /** The commands started from this thread, running. */
  readonly #commands = new Set<RunningCommand>();
  readonly #channel = new BroadcastChannel(CHANNEL);
  readonly #listeners = new Map<number, (m: WorkerMessage) => void>();
  #nextJob = 1;
  /** The run's record of its groups, so that a resume after a kill -9 can end them. */
  readonly #log: GroupLog | undefined;

  constructor(size: number, log?: GroupLog) {
    this.#size = size;
    this.#log = log;
    this.#channel.unref();
    this.#channel.onmessage = (event: unknown) => {
      const m = (event as { data: WorkerMessage }).data;
      this.#listeners.get(m.jobId)?.(m);
    };
  }

  /**
   * Threads start on the first job (a run where everything is cached starts none, and does not even load
   * tinypool), or all at once on `warm`.
   */
  async #threads(minThreads = 1): Promise<Tinypool> {
    if (this.#pool) return this.#pool;
    const { default: Pool } = await import('tinypool');
    this.#pool ??= new Pool({ filename: new URL('./worker.js', import.meta.url).href, minThreads, maxThreads: this.#size, idleTimeout: 1000 });
    return this.#pool;
  }

  /**
   * Starts every thread now rather than on the first jobs: a rule gate that
   * will run asks for them before git lists the files, so that the threads
   * boot and load their code (tens of ms each) while git answers, and both
   * cores read files from the first batch on. Nothing if the pool is up.
   * Resolves once the threads are started (tinypool is imported first): a
   * caller awaits that before its next synchronous stretch, or the import
   * can finish only after it, and the threads start that much later.
   */
  async warm(): Promise<void> {
    await this.#threads(this.#size);
  }

  /**
   * Runs a command (an agent's in a worker). `onLine` gets its latest output
   * line now and then; with `parseAs`, `onAgentEvent` gets what the agent did
   * as its output is written, every event before this resolves.
   */
  async runCommand(spec: CommandSpec, watch: CommandWatch, signal: AbortSignal): Promise<CommandJobResult> {
    if (watch.parseAs === undefined) return this.#onThisThread(spec, watch, signal);
    const jobId = this.#nextJob++;
    let pid: number | undefined;
    let received = 0;
    let allReceived: (() => void) | undefined;
    let expected = Infinity;
    this.#listeners.set(jobId, (m) => {
      switch (m.type) {
        case 'spawned':
          pid = m.pid;
          this.#added(m.pid);
          return;
        case 'line':
          watch.onLine(m.line);
          return;
        case 'agent-event':
          received++;
          watch.onAgentEvent?.(m.event);
          if (received >= expected) allReceived?.();
          return;
        default:
          unreachable(m);
      }
    });
    const stop = (): void => this.#channel.postMessage({ type: 'stop', jobId, now: false } satisfies ControlMessage);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      const job: Job = { kind: 'command', jobId, spec, ...(watch.parseAs ? { parseAs: watch.parseAs } : {}) };
      const result = (await (await this.#threads()).run(job)) as CommandJobResult;
      // The result and the events travel on different channels: wait until every event posted has arrived.
      expected = result.agent?.eventsPosted ?? 0;
      if (received < expected) await arrival((resolve) => (allReceived = resolve), EVENTS_WAIT_MS);
      return result;
    } finally {
      signal.removeEventListener('abort', stop);
      this.#listeners.delete(jobId);
      if (pid !== undefined) this.#removed(pid);
    }
  }

  #added(pid: number): void {
    this.#groups.add(pid);
    this.#log?.started(pid);
  }

  /** Called once the command's exit was seen: process-runner has killed what was left of its group by then. */
  #removed(pid: number): void {
    this.#groups.delete(pid);
    this.#log?.ended(pid);
  }

  /**
   * A plain command (a gate, a setup step) is started from the main thread:
   * a worker adds a task hop and two channel messages per command, and forks
   * from worker threads serialise on the process's memory map anyway. On 2
   * cores, 300 no-op gates took 10 s this way against 13-14 s through the pool.
   * Only agents, whose output is parsed as it is written, need a worker.
   */
  async #onThisThread(spec: CommandSpec, watch: CommandWatch, signal: AbortSignal): Promise<CommandJobResult> {
    let pid: number | undefined;
    // Loaded on the first command: a run where everything is cached starts none. Once loaded, no await: a
    // command starts in the same tick its gate does.
    const { startCommand, spawnerStarted } = (runner ??= await import('./process-runner.js'));
    // Tests and benchmarks that must know which way commands start (the first one does not wait for the spawner).
    if (process.env['ORCHESTRA_SPAWNER_WAIT'] === '1') await (await import('./spawner.js')).forkServer()?.ready();
    else {
      const starting = spawnerStarted();
      if (starting !== undefined) await starting;
    }
    const command = startCommand(spec, {
      onSpawn: (p) => {
        pid = p;
        this.#added(p);
      },
      onLine: (line) => watch.onLine(line),
    });
    const stop = (): void => command.stop();
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    this.#commands.add(command);
    try {
      return await command.done;
    } finally {
      this.#commands.delete(command);
      signal.removeEventListener('abort', stop);
      if (pid !== undefined) this.#removed(pid);
    }
  }

  async runRule(job: Extract<Job, { kind: 'rule' }>): Promise<RuleResult> {
    return (await (await this.#threads()).run(job)) as RuleResult;
  }

  /** SIGKILL to every process group still alive, from the main thread. */
  killAll(): void {
    // A command the spawner has not yet said the pid of is killed as soon as it does.
    for (const command of this.#commands) command.stop(true);
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
