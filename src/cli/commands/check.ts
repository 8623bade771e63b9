import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Diagnostic } from '../../config/diagnostic.js';
import { error } from '../../config/diagnostic.js';
import { didYouMean } from '../../config/suggest.js';
import { HOOK_NAMES, type HookName } from '../../config/types.js';
import type { Config } from '../../config/types.js';
import { narrowForCi, topLevelGates, type CiSelection } from '../../exec/gate-selection.js';
import { askListing, type KnownListing } from '../../exec/file-index.js';
import { compile } from '../../graph/compile.js';
import { selectSubgraph } from '../../graph/select.js';
import type { Graph } from '../../graph/types.js';
import { formatDiagnostics } from '../../logger/diagnostic-printer.js';
import { styleFor } from '../../logger/style.js';
import { exitCodeOf, type RunResults } from '../../report/results.js';
import type { FixOutcome } from '../../rules/apply-fixes.js';
import { reportFileProblems, type ReporterChoice } from '../../session/reporters.js';
import { Session } from '../../session/session.js';
import { Workspace } from '../../workspace/layout.js';
import { unreachable } from '../../util/unreachable.js';
import { newRunId, pruneRuns, RUNS_KEPT } from '../../workspace/run-ids.js';
import type { ListingAhead } from '../check-ahead.js';
import { EXIT, type CommonOptions } from '../exit-codes.js';
import { loadOrReport } from './validate.js';

export interface CheckOptions extends CommonOptions {
  readonly gates: readonly string[];
  readonly hook?: string;
  readonly concurrency?: number;
  readonly keepGoing: boolean;
  readonly reporters: readonly ReporterChoice[];
  readonly timeoutMs?: number;
  readonly graceMs: number;
  /** Apply the fixes rules offer, then check again. */
  readonly fix?: boolean;
  /** No renderer and no reporters: the first pass of --fix. */
  readonly quiet?: boolean;
  /** `--shard i/n`: one rule gate's share of its files. */
  readonly shard?: string;
  /** False with `--no-needs`: only the named gates run; what they need is taken as done. */
  readonly needs?: boolean;
  /** Print each selected gate's cache key instead of running anything. */
  readonly fingerprint?: boolean;
  /** The listing the launcher asked git for before this code was loaded; used where the one asked here early would be. */
  readonly ahead?: ListingAhead;
}

function printDiagnostics(ds: readonly Diagnostic[], sources: Parameters<typeof formatDiagnostics>[1]): void {
  if (ds.length) process.stderr.write(`${formatDiagnostics(ds, sources, process.cwd(), styleFor(process.stderr))}\n`);
}

/** Which top-level gates to run: the named ones, a hook's list, or all; and what they need. */
function selectGates(graph: Graph, opts: CheckOptions, config: Config): { graph?: Graph; diagnostics: Diagnostic[] } {
  const hooks = config.hooks;
  const topLevel = topLevelGates(graph);
  if (opts.hook !== undefined) {
    if (!(HOOK_NAMES as readonly string[]).includes(opts.hook)) {
      return { diagnostics: [error(`--hook: unknown hook '${opts.hook}'`, undefined, didYouMean(opts.hook, HOOK_NAMES) ?? `hooks: ${HOOK_NAMES.join(', ')}`)] };
    }
    const list = hooks[opts.hook as HookName];
    if (!list) return { diagnostics: [error(`--hook ${opts.hook}: the config has no 'hooks.${opts.hook}' list of gates`)] };
    return selectSubgraph(
      topLevel,
      list.map((r) => r.id),
      'gate',
    );
  }
  return selectSubgraph(topLevel, opts.gates, 'gate');
}

export async function checkCommand(opts: CheckOptions): Promise<number> {
  if (opts.hook !== undefined && process.env['ORCHESTRA_SKIP'] === '1') {
    process.stderr.write(`orchestra: ORCHESTRA_SKIP=1, skipping the ${opts.hook} gates\n`);
    return EXIT.ok;
  }
  // What git is asked is started before the config loads, so that git runs while node loads and parses. A push
  // (git named its commits on stdin) asks HEAD and the status as well (the probe); otherwise (a plain check, or a
  // hook run by hand: the tree is judged) the file index's one listing is asked, for the folder the config is
  // most likely in, and used only if the config is there.
  const cwd = path.resolve(opts.cwd);
  const judging = opts.hook !== undefined && !opts.fix && !opts.fingerprint;
  const stdinRead = judging && opts.hook === 'pre-push' && !process.stdin.isTTY ? readStdin() : Promise.resolve('');
  const probe = judging && opts.hook === 'pre-push' && (await stdinRead).trim() !== '' ? (await import('../../git/tree-probe.js')).probeTree(cwd) : undefined;
  const early = !probe && opts.cache && !opts.fix && !opts.fingerprint ? (opts.ahead?.root === cwd ? opts.ahead.listing : askListing(cwd)) : undefined;
  const knownFor = async (root: string): Promise<KnownListing | undefined> => (probe ? probe.listing(root) : early && root === cwd ? { early } : undefined);
  const { config, outcome } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const reportProblems = reportFileProblems(opts.reporters, { root: config.root, ws: Workspace.of(config.root) });
  printDiagnostics(
    reportProblems.map((m) => error(m)),
    outcome.sources,
  );
  if (reportProblems.length) return EXIT.usage;
  const compiled = compile(config);
  printDiagnostics(compiled.diagnostics, outcome.sources);
  if (!compiled.graph) return EXIT.usage;
  const selected = selectGates(compiled.graph, opts, config);
  printDiagnostics(selected.diagnostics, outcome.sources);
  if (!selected.graph) return EXIT.usage;
  const graph = selected.graph;
  const narrowed = narrowForCi(config, graph, opts.gates, { needs: opts.needs !== false, ...(opts.shard !== undefined ? { shard: opts.shard } : {}) });
  printDiagnostics(narrowed.diagnostics, outcome.sources);
  if (narrowed.diagnostics.length) return EXIT.usage;
  if (opts.fingerprint) return printFingerprints(config, graph, narrowed);
  if (opts.hook === undefined || opts.fix) return runChecks(opts, config, graph, narrowed, undefined, knownFor);

  const { hookTargets } = await import('./hook-target.js');
  const stdin = await stdinRead;
  let targets;
  try {
    targets = await hookTargets(opts.hook, config, graph, stdin, probe);
  } catch (e) {
    process.stderr.write(`orchestra: ${(e as Error).message}\n`);
    return EXIT.internal;
  }
  let code: number = EXIT.ok;
  for (const target of targets) {
    let result: number;
    switch (target.kind) {
      case 'tree':
        result = await runChecks(opts, config, graph, narrowed, undefined, knownFor);
        break;
      case 'nothing':
        process.stderr.write(`orchestra: ${target.note}\n`);
        result = EXIT.ok;
        break;
      case 'snapshot': {
        process.stderr.write(`orchestra: ${target.note}\n`);
        const git = await import('../../git/snapshot.js');
        const snap = await git.snapshot(config.root, target.treeish).catch((e: Error) => e);
        if (snap instanceof Error) {
          process.stderr.write(`orchestra: could not make the temporary worktree: ${snap.message}\n`);
          return EXIT.internal;
        }
        git.forgetHookGitEnv();
        try {
          result = await runChecks(opts, config, graph, narrowed, snap.root);
        } finally {
          await snap.dispose();
        }
        break;
      }
      default:
        unreachable(target);
    }
    if (code === EXIT.ok) code = result;
  }
  return code;
}

function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => (text += d));
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', () => resolve(text));
  });
}

/**
 * One run of the selected gates, in the config's folder or in `root` (a
 * snapshot of what a hook judges); `knownFor`: what git was already asked
 * about a folder (a hook's probe, or the listing started early), which spares
 * the file index a git call.
 */
async function runChecks(
  opts: CheckOptions,
  config: Config,
  graph: Graph,
  narrowed: CiSelection,
  root?: string,
  knownFor?: (root: string) => Promise<KnownListing | undefined>,
): Promise<number> {
  const ws = Workspace.of(config.root).ensure();
  pruneRuns(ws, RUNS_KEPT - 1);
  const runId = newRunId();
  // With --fix this pass only finds (quietly); the pass after the fixes reports.
  const reporters: readonly ReporterChoice[] = opts.quiet || opts.fix ? [] : opts.reporters.length ? opts.reporters : [{ name: 'pretty' as const }];
  const session = await Session.open({ ws, runId, reporters, root: config.root });
  const { runGates } = await import('../../exec/run-gates.js');
  const known = await knownFor?.(config.root);
  const concurrency = opts.concurrency ?? config.concurrency ?? availableParallelism();
  const result = await session.work(concurrency, (pool, signal) =>
    runGates({
      config,
      graph,
      runId,
      ws,
      concurrency,
      keepGoing: opts.keepGoing,
      // Fixes need this tree's findings, not a replay.
      useCache: opts.cache && !opts.fix,
      ...(root !== undefined ? { root } : {}),
      ...(known !== undefined ? { known } : {}),
      ...(narrowed.only ? { only: narrowed.only } : {}),
      ...(narrowed.sharded ? { sharded: narrowed.sharded } : {}),
      ...(opts.timeoutMs !== undefined ? { defaultTimeoutMs: opts.timeoutMs } : {}),
      graceMs: opts.graceMs,
      bus: session.bus,
      pool,
      signal,
    }),
  );
  await session.finishView();
  await session.report();
  const results = session.results;
  if (result.interrupted) return EXIT.interrupted;
  if (opts.fix && exitCodeOf(results) !== EXIT.internal) {
    const fixed = await fixFindings(results, config.root);
    const style = styleFor(process.stderr);
    if (fixed.length === 0) process.stderr.write('orchestra: nothing to fix\n');
    else {
      const total = fixed.reduce((n, f) => n + f.fixed, 0);
      process.stderr.write(
        `${style.green('fixed')} ${total} ${total === 1 ? 'finding' : 'findings'} in ${fixed.length} ${fixed.length === 1 ? 'file' : 'files'}:\n`,
      );
      for (const f of fixed) process.stderr.write(`  ${f.file} (${f.fixed})\n`);
    }
    // Check again, as a person would after fixing: this run's result is the answer (git is asked again: files changed).
    const { ahead: _listedBeforeTheFixes, ...again } = opts;
    return checkCommand({ ...again, fix: false, quiet: false });
  }
  // 70 when a node crashed inside orchestra: a bug, said as such, never a plain failure.
  return exitCodeOf(results);
}

/**
 * `--fingerprint`: each gate's cache key, `sha256sum`-style (`<key>  <gate>`;
 * `-` for a gate that is never cached), for a CI cache step to key on.
 */
async function printFingerprints(config: Config, graph: Graph, narrowed: CiSelection): Promise<number> {
  const { gateFingerprints, wantsFileIndex } = await import('../../exec/run-gates.js');
  const { indexFiles } = await import('../../exec/file-index.js');
  const index = wantsFileIndex(graph, true) ? await indexFiles(config.root) : undefined;
  const fingerprints = gateFingerprints(config, graph, index, narrowed.sharded);
  for (const n of graph.nodes) if (!narrowed.only || narrowed.only.has(n.id)) process.stdout.write(`${fingerprints.get(n.id) ?? '-'}  ${n.name}\n`);
  return EXIT.ok;
}

/** Fixes from every finding of the run, limited to files the reporting gate was asked to read. */
async function fixFindings(run: RunResults, root: string): Promise<FixOutcome[]> {
  const { applyFixes } = await import('../../rules/apply-fixes.js');
  const findings = run.results.flatMap((r) => r.findings);
  const readByRule = new Set(findings.map((f) => f.file));
  return applyFixes(root, findings, (file) => readByRule.has(file));
}
