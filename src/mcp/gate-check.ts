import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import type { Config, Gate } from '../config/types.js';
import { EventBus } from '../events/events.js';
import type { WorkerPool } from '../exec/pool.js';
import { selectSubgraph } from '../graph/select.js';
import { commandText, type Graph } from '../graph/types.js';
import { ResultCollector } from '../report/results.js';
import type { GateFailure } from '../run/fix-prompt.js';
import { newRunId } from '../workspace/run-ids.js';
import type { GateAnswer } from './answers.js';
import { diagnosticsText, loadHere, workspaceFor } from './here.js';
import { Mutex } from '../util/mutex.js';

export type CheckOutcome =
  | { readonly ok: true; readonly root: string; readonly answers: readonly GateAnswer[]; readonly failures: readonly GateFailure[] }
  | { readonly ok: false; readonly error: string };

export interface CheckerOptions {
  /** For gates without a `timeout:` of their own: a model must never wait on a hung gate for ever. */
  readonly defaultTimeoutMs: number;
  readonly graceMs: number;
  /** Inside a run: the caller's phase (`ORCHESTRA_PHASE`), whose gates are the default. */
  readonly phase?: string;
}

/** What a gate checks, in one line: its command, or its rule. */
export function gateCommand(gate: Gate): string {
  return gate.run ? [commandText(gate.run)].flat().join(' ') : `rule ${gate.rule?.id}`;
}

/** The gates a call without names checks: the caller's phase's, inside a run whose config has that phase; else every top-level gate. Pure. */
export function defaultGates(config: Config, phase: string | undefined): readonly string[] {
  const own = phase === undefined ? undefined : config.phases.find((p) => p.id === phase);
  return own ? own.gates.map((r) => r.id) : [];
}

/**
 * `check_gate`'s engine: the gates `orchestra check` runs (the same scheduler,
 * worker pool and gate cache), one call at a time, with no run record (the
 * logs go to a private temporary folder) and the latest failure of each gate
 * kept for `fix_suggestion`.
 */
export class GateChecker {
  readonly #serial = new Mutex();
  readonly #abort = new AbortController();
  readonly #logDir = mkdtempSync(path.join(tmpdir(), 'orchestra-mcp-'));
  readonly #failures = new Map<string, GateFailure>();
  #pool: WorkerPool | undefined;

  constructor(private readonly opts: CheckerOptions) {}

  check(dir: string, names: readonly string[]): Promise<CheckOutcome> {
    return this.#serial.run(() => this.#check(dir, names));
  }

  /** The latest failure of `gate` under the config of `root` that a call here saw, if its latest run failed. */
  lastFailure(root: string, gate: string): GateFailure | undefined {
    return this.#failures.get(`${root}\0${gate}`);
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#pool?.destroy();
    rmSync(this.#logDir, { recursive: true, force: true });
  }

  async #check(dir: string, names: readonly string[]): Promise<CheckOutcome> {
    const here = await loadHere(dir);
    if (!here.ok) return here;
    const { config } = here;
    const wanted = names.length ? names : defaultGates(config, this.opts.phase);
    const selected = selectSubgraph(here.gates, wanted, 'gate');
    if (!selected.graph) return { ok: false, error: diagnosticsText(selected.diagnostics) };
    const graph: Graph = selected.graph;
    const ws = workspaceFor(config.root);
    try {
      ws.ensure();
    } catch {
      // Read-only (inside an agent's sandbox): the cache is read, never written.
    }
    const { WorkerPool } = await import('../exec/pool.js');
    this.#pool ??= new WorkerPool(availableParallelism());
    const bus = new EventBus();
    const collector = new ResultCollector();
    bus.subscribe(collector.subscriber);
    const { runGates } = await import('../exec/run-gates.js');
    await runGates({
      config,
      graph,
      runId: newRunId(),
      ws,
      concurrency: config.concurrency ?? availableParallelism(),
      // Every failure at once: a model fixes them together rather than one per call.
      keepGoing: true,
      useCache: true,
      defaultTimeoutMs: this.opts.defaultTimeoutMs,
      graceMs: this.opts.graceMs,
      bus,
      pool: this.#pool,
      signal: this.#abort.signal,
      logDir: this.#logDir,
    });
    const byId = new Map(collector.run.results.map((r) => [r.id, r]));
    const answers: GateAnswer[] = [];
    const failures: GateFailure[] = [];
    for (const n of graph.nodes) {
      const r = byId.get(n.id);
      if (n.kind !== 'gate' || !r) continue;
      const command = gateCommand(n.gate);
      const message = r.message ?? r.skipReason;
      answers.push({
        name: n.name,
        status: r.status,
        command,
        durationMs: r.durationMs,
        findings: r.findings,
        ...(message !== undefined ? { message } : {}),
        ...(r.tail !== undefined ? { tail: r.tail } : {}),
      });
      const key = `${config.root}\0${n.name}`;
      if (r.status === 'failed') {
        const failure: GateFailure = { gate: n.name, command, exitCode: r.exitCode, message: r.message ?? 'failed', findings: r.findings, tail: r.tail ?? '' };
        failures.push(failure);
        this.#failures.set(key, failure);
      } else if (r.status !== 'skipped') this.#failures.delete(key);
    }
    return { ok: true, root: config.root, answers, failures };
  }
}
