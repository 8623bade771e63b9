import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command, Config, Gate } from '../config/types.js';
import type { Graph, GateNode } from '../graph/types.js';
import { orchestraVersion } from '../util/version.js';
import type { EventBus, FailReason, NodeStatus } from '../events/events.js';
import type { Finding } from '../rules/types.js';
import type { Workspace } from '../workspace/layout.js';
import { indexFiles, listFiles, type FileIndex, type KnownListing } from './file-index.js';
import { needsOf, nodeInfos } from './node-infos.js';
import { GateCache, gateFingerprint, ruleFiles } from './gate-cache.js';
import { ruleTarget } from './rule-target.js';
import type { Shard } from './shard.js';
import type { WorkerPool } from './pool.js';
import { expectCommands, MANY_COMMANDS, userShell } from './launch.js';
import { walk, type Outcome } from './scheduler.js';

export interface GateRunOptions {
  readonly config: Config;
  /** Top-level gate nodes only (what `check` runs). */
  readonly graph: Graph;
  readonly runId: string;
  readonly ws: Workspace;
  readonly concurrency: number;
  readonly keepGoing: boolean;
  readonly useCache: boolean;
  /** Where the gates run when not in the config's folder: a snapshot of what a hook judges. */
  readonly root?: string;
  /** What a hook already asked git about the config's folder (the index's listing, the files that differ from it): git calls fewer. */
  readonly known?: KnownListing;
  /**
   * Run only these (`check --no-needs`: a CI job whose `needs:` ran the rest).
   * The others still count toward fingerprints, so a cache entry is the same
   * whoever made it.
   */
  readonly only?: ReadonlySet<string>;
  /** `check <gate> --shard i/n`: that gate looks at its share of the files only. */
  readonly sharded?: GateShard;
  /** Applies to gates without a `timeout:` of their own. */
  readonly defaultTimeoutMs?: number;
  readonly graceMs: number;
  readonly bus: EventBus;
  readonly pool: WorkerPool;
  readonly signal: AbortSignal;
  /**
   * Where the gates' logs go instead of the run's folder: the MCP server keeps
   * no run record, and inside an agent's sandbox `.orchestra/` is read-only.
   */
  readonly logDir?: string;
}

export interface GateRunResult {
  readonly ok: boolean;
  readonly interrupted: boolean;
  readonly statuses: ReadonlyMap<string, NodeStatus>;
}

const TAIL_BYTES = 16 * 1024;

export interface GateShard {
  readonly gateId: string;
  readonly shard: Shard;
}

/** Every gate's fingerprint, in graph order (a gate's needs come first); undefined: not cacheable. */
export function gateFingerprints(config: Config, graph: Graph, index: FileIndex | undefined, shard?: GateShard): Map<string, string | undefined> {
  const needs = needsOf(graph);
  const version = orchestraVersion();
  const fingerprints = new Map<string, string | undefined>();
  for (const n of graph.nodes) {
    if (n.kind !== 'gate') continue;
    const rule = ruleTarget(config, n.gate);
    const own = shard?.gateId === n.id ? shard.shard : undefined;
    fingerprints.set(
      n.id,
      gateFingerprint(
        n.gate,
        rule,
        index,
        (needs.get(n.id) ?? []).map((id) => fingerprints.get(id)),
        version,
        own,
      ),
    );
  }
  return fingerprints;
}

/** Whether any of these gates needs the repo's file list: for its cache key, or as a rule's files. */
export function wantsFileIndex(graph: Graph, forCache: boolean): boolean {
  return graph.nodes.some((n) => n.kind === 'gate' && ((n.gate.inputs && forCache) || n.gate.rule));
}

/** Runs gates through the scheduler and the pool, with the cache in front; everything it does is an event. */
export async function runGates(opts: GateRunOptions): Promise<GateRunResult> {
  const { config, graph, bus } = opts;
  const root = opts.root ?? config.root;
  const started = Date.now();
  const gates = new Map(graph.nodes.filter((n): n is GateNode => n.kind === 'gate').map((n) => [n.id, n]));
  const nodes = nodeInfos(graph, (id) => !opts.only || opts.only.has(id));
  const runDir = opts.ws.run(opts.runId);
  const logs = opts.logDir ?? runDir.logs;
  mkdirSync(logs, { recursive: true });
  bus.emit({ type: 'run-started', ts: started, runId: opts.runId, command: 'check', root: config.root, nodes });

  // A rule gate that will run needs every thread: without the cache they start while git lists the files.
  const ruleGates = [...gates.entries()].filter(([id, n]) => n.gate.rule && (!opts.only || opts.only.has(id))).map(([id]) => id);
  const warming = !opts.useCache && ruleGates.length > 0 ? opts.pool.warm() : undefined;
  // Listing the repo costs a git call; only gates with inputs or rules need it.
  // Without the cache nothing is hashed: the file list alone is a cheaper git call (unless a hook already asked git).
  const cheap = !opts.useCache && opts.known === undefined;
  const index: FileIndex | undefined = wantsFileIndex(graph, opts.useCache) ? await (cheap ? listFiles(root) : indexFiles(root, opts.known)) : undefined;
  // The threads start before the files are selected and batched: when git answers first (it often does, with the
  // listing sorted already), that work would otherwise run before tinypool is loaded, and the threads boot after it.
  await warming;
  // --no-cache neither reads nor writes the cache, so nothing needs hashing.
  const fingerprints = opts.useCache ? gateFingerprints(config, graph, index, opts.sharded) : new Map<string, string | undefined>();
  const cache = new GateCache(opts.ws.gateCacheDir);
  const cacheProblem = opts.useCache ? cache.problem() : undefined;
  if (cacheProblem !== undefined) process.stderr.write(`orchestra: warning: ${cacheProblem}\n`);
  // With the cache, once the keys are known: while the hits replay.
  const misses = (id: string): boolean => {
    const fingerprint = fingerprints.get(id);
    return fingerprint === undefined || !cache.has(fingerprint);
  };
  if (opts.useCache && ruleGates.some(misses)) void opts.pool.warm();
  // Many commands to start: the spawner starts now, and they wait for it rather than fork orchestra one by one.
  const commands = [...gates.entries()].filter(([id, n]) => n.gate.run && (!opts.only || opts.only.has(id))).map(([id]) => id);
  if (commands.length >= MANY_COMMANDS) expectCommands(opts.useCache ? commands.filter(misses).length : commands.length);

  const runNode = async (id: string, signal: AbortSignal): Promise<Outcome> => {
    const node = gates.get(id);
    if (!node) throw new Error(`check runs gates only, got ${id}`);
    const fingerprint = fingerprints.get(id);
    if (fingerprint && opts.useCache && cache.has(fingerprint)) {
      const ts = Date.now();
      bus.emit({ type: 'cache-hit', ts, nodeId: id, fingerprint });
      for (const finding of cache.findings(fingerprint)) bus.emit({ type: 'finding', ts, nodeId: id, finding });
      bus.emit({ type: 'node-finished', ts, nodeId: id, status: 'cached', durationMs: 0, exitCode: null, signal: null, attempts: 0 });
      return { status: 'cached' };
    }
    const gate = node.gate;
    const logFile = opts.logDir !== undefined ? path.join(opts.logDir, path.basename(runDir.logFile(id))) : runDir.logFile(id);
    const shard = opts.sharded?.gateId === id ? { shard: opts.sharded.shard } : {};
    let attempt = 0;
    for (;;) {
      attempt++;
      const t0 = Date.now();
      bus.emit({ type: 'node-started', ts: t0, nodeId: id, attempt });
      const result = await runGateOnce(gate, id, logFile, signal, { ...opts, root, ...shard }, index);
      const finished = {
        ts: Date.now(),
        nodeId: id,
        durationMs: Date.now() - t0,
        exitCode: result.exitCode,
        signal: result.signal,
        attempts: attempt,
        logFile,
      };
      if (result.reason === undefined) {
        bus.emit({ type: 'node-finished', ...finished, status: 'passed' });
        if (fingerprint) cache.put(fingerprint, { gate: gate.name, durationMs: finished.durationMs, findings: result.findings ?? [] });
        return { status: 'passed' };
      }
      if (attempt <= gate.retries && result.reason !== 'interrupted' && !signal.aborted) {
        bus.emit({ type: 'node-retry', ts: Date.now(), nodeId: id, attempt: attempt + 1, reason: result.reason });
        continue;
      }
      bus.emit({
        type: 'node-finished',
        ...finished,
        status: 'failed',
        reason: result.reason,
        tail: result.tail,
        ...(result.message ? { message: result.message } : {}),
      });
      return { status: 'failed', reason: result.reason };
    }
  };

  const { statuses, counts, ok, interrupted } = await walk(
    nodes.map((n) => ({ id: n.id, needs: n.needs })),
    runNode,
    { concurrency: opts.concurrency, keepGoing: opts.keepGoing, signal: opts.signal, bus, label: (nodeId) => gates.get(nodeId)?.name ?? nodeId },
  );
  await cache.flush();
  bus.emit({ type: 'run-finished', ts: Date.now(), ok, interrupted, durationMs: Date.now() - started, counts });
  return { ok, interrupted, statuses };
}

export interface OnceResult {
  readonly reason?: FailReason;
  /** A rule's findings (warnings, when it passed). */
  readonly findings?: readonly Finding[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly tail: string;
  readonly message?: string;
}

/** What running one gate needs: where (root), with what, and where its events go. */
export interface GateEnv {
  readonly config: Config;
  readonly root: string;
  readonly runId: string;
  readonly concurrency: number;
  readonly defaultTimeoutMs?: number;
  readonly graceMs: number;
  readonly bus: EventBus;
  readonly pool: WorkerPool;
  /** A rule gate's share of its files (`--shard`). */
  readonly shard?: Shard;
  /** A run's gates: their command wrapped in a PID namespace of its own (sandbox.contain), so nothing it starts outlives it. */
  readonly contain?: (argv: readonly string[]) => readonly string[];
}

/** Runs a gate once in `opts.root` (the repo, or a run's integration worktree). */
export async function runGateOnce(
  gate: Gate,
  id: string,
  logFile: string,
  signal: AbortSignal,
  opts: GateEnv,
  index: FileIndex | undefined,
): Promise<OnceResult> {
  const { config, bus } = opts;
  if (gate.run) {
    const contained = opts.contain ? opts.contain(commandArgv(gate.run)) : undefined;
    const r = await opts.pool.runCommand(
      {
        command: contained ? { argv: contained } : gate.run,
        ...(contained ? { wrapped: true } : {}),
        cwd: gate.cwd ? path.resolve(opts.root, gate.cwd) : opts.root,
        env: { ...gate.env, ORCHESTRA_RUN_ID: opts.runId, ORCHESTRA_GATE: gate.name },
        ...((gate.timeoutMs ?? opts.defaultTimeoutMs) ? { timeoutMs: gate.timeoutMs ?? opts.defaultTimeoutMs } : {}),
        graceMs: opts.graceMs,
        logFile,
        tailBytes: TAIL_BYTES,
      },
      { onLine: (line) => bus.emit({ type: 'node-output', ts: Date.now(), nodeId: id, line }) },
      signal,
    );
    const base = { exitCode: r.exitCode, signal: r.signal, tail: r.tail };
    if (r.spawnError !== undefined) {
      const missing = /ENOENT/.test(r.spawnError) && 'argv' in gate.run ? gate.run.argv[0] : undefined;
      const message =
        missing !== undefined
          ? `'${missing}' is not installed or not on PATH (install it, or set enabled: false on gate ${gate.name})`
          : `could not start: ${r.spawnError}`;
      return { ...base, reason: 'spawn-error', message, tail: `${base.tail}${message}\n` };
    }
    if (r.lost !== undefined) return { ...base, reason: 'lost', message: `lost: ${r.lost}` };
    if (r.timedOut) return { ...base, reason: 'timeout', message: `timed out after ${gate.timeoutMs ?? opts.defaultTimeoutMs} ms` };
    if (r.interrupted) return { ...base, reason: 'interrupted', message: 'interrupted' };
    if (r.exitCode !== 0) return { ...base, reason: 'exit-code', message: r.exitCode === null ? `killed by ${r.signal}` : `exit code ${r.exitCode}` };
    return base;
  }
  const rule = ruleTarget(config, gate);
  if (!rule || !index) {
    writeFileSync(logFile, `orchestra: rule '${gate.rule?.id}' is not known\n`);
    return { reason: 'unsupported', exitCode: null, signal: null, tail: '', message: `rule '${gate.rule?.id}' cannot run` };
  }
  const files = ruleFiles(index, gate, rule, opts.shard);
  // Spread the files over the pool in batches; findings keep the files' order.
  const size = Math.max(50, Math.ceil(files.length / (opts.concurrency * 4)));
  const batches = rule.wholeRepo ? [files] : chunk(files, size);
  const parts = await Promise.all(
    batches.map((batch) => opts.pool.runRule({ kind: 'rule', rule: rule.spec, severity: rule.severity, root: opts.root, files: batch })),
  );
  const result = { findings: parts.flatMap((p) => p.findings), filesChecked: parts.reduce((n, p) => n + p.filesChecked, 0) };
  const lines = result.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} (${f.rule})`);
  for (const finding of result.findings) bus.emit({ type: 'finding', ts: Date.now(), nodeId: id, finding });
  const summary = `${result.filesChecked} files checked, ${result.findings.length} findings`;
  writeFileSync(logFile, [...lines, summary, ''].join('\n'));
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  const tail = [...lines.slice(-20), summary].join('\n');
  const findings = result.findings;
  return errors > 0
    ? { reason: 'findings', exitCode: null, signal: null, tail, findings, message: `${errors} ${errors === 1 ? 'finding' : 'findings'}` }
    : { exitCode: 0, signal: null, tail, findings };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length ? out : [[]];
}

/** A gate's command as an argv: a shell string through the user's shell, as the runner would start it. */
function commandArgv(command: Command): readonly string[] {
  if ('argv' in command) return command.argv;
  const shell = userShell();
  return [typeof shell === 'string' ? shell : '/bin/sh', '-c', command.shell];
}
