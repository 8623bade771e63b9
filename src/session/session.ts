import { mkdirSync } from 'node:fs';
import { EventBus } from '../events/events.js';
import type { WorkerPool } from '../exec/pool.js';
import { eventLog } from '../logger/event-log.js';
import { plainRenderer, type Renderer } from '../logger/plain-renderer.js';
import { formatRunSummary } from '../logger/run-summary.js';
import { styleFor } from '../logger/style.js';
import { ResultCollector, type RunResults } from '../report/results.js';
import { AgentLedger } from '../report/run-report.js';
import type { RunDir, Workspace } from '../workspace/layout.js';
import { writeReports, type ReporterChoice } from './reporters.js';
import { withPool } from './signals.js';

export interface SessionOptions {
  readonly ws: Workspace;
  readonly runId: string;
  /** Empty: nothing is shown or written but the record (the first, quiet pass of `check --fix`). */
  readonly reporters: readonly ReporterChoice[];
  /** The config's folder. */
  readonly root: string;
}

/**
 * What `check`, `run` and `resume` share around the work: the event bus and
 * its subscribers (the JSONL record, the result collector, the agent ledger,
 * the renderer the reporters ask for), the worker pool with Ctrl-C handling,
 * and, at the end, the summary and every reporter's output. The work itself
 * only emits events.
 */
export class Session {
  readonly bus = new EventBus();
  readonly #collector = new ResultCollector();
  readonly ledger = new AgentLedger();
  readonly runDir: RunDir;
  /** Where the pretty output goes: stderr when JSON owns stdout. */
  readonly out: NodeJS.WriteStream;
  readonly #record: { close(): void };
  #renderer: Renderer | undefined;

  private constructor(private readonly opts: SessionOptions) {
    this.runDir = opts.ws.run(opts.runId);
    mkdirSync(this.runDir.dir, { recursive: true });
    const record = eventLog(this.runDir.events);
    this.#record = record;
    this.bus.subscribe(record.subscriber);
    this.bus.subscribe(this.#collector.subscriber);
    this.bus.subscribe(this.ledger.subscriber);
    this.out = opts.reporters.some((r) => r.name === 'json') ? process.stderr : process.stdout;
  }

  static async open(opts: SessionOptions): Promise<Session> {
    const session = new Session(opts);
    if (opts.reporters.some((r) => r.name === 'pretty')) await session.#attachRenderer();
    return session;
  }

  get results(): RunResults {
    return this.#collector.run;
  }

  /** The live view: a listr2 tree at a terminal, plain lines elsewhere (CI, pipes). */
  async #attachRenderer(): Promise<void> {
    const style = styleFor(this.out);
    const env = process.env['ORCHESTRA_RENDERER'];
    const tty = env ? env === 'tty' : this.out.isTTY === true && !process.env['CI'];
    this.#renderer = tty ? await (await import('../logger/listr-renderer.js')).listrRenderer(style) : plainRenderer((s) => this.out.write(s), style);
    this.bus.subscribe(this.#renderer.subscriber);
  }

  /** Runs the work with a pool of `concurrency` workers and Ctrl-C handling; the record is closed after, whatever happens. */
  async work<T>(concurrency: number, fn: (pool: WorkerPool, signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withPool(concurrency, fn, this.runDir.groups);
    } finally {
      this.#record.close();
    }
  }

  /** The renderer finished and the summary printed; `after` adds lines below it (a run's branch and report). */
  async finishView(after: readonly string[] = []): Promise<void> {
    if (!this.#renderer) return;
    await this.#renderer.finish();
    this.out.write(formatRunSummary(this.results, styleFor(this.out)));
    for (const line of after) this.out.write(`${line}\n`);
  }

  /** Every reporter's output, from the results; `extra` adds fields to a node's JSON entry. */
  async report(extra?: (nodeId: string) => Record<string, unknown>): Promise<void> {
    await writeReports(this.opts.reporters, this.results, {
      root: this.opts.root,
      ws: this.opts.ws,
      ...(extra ? { extra } : {}),
    });
  }
}
