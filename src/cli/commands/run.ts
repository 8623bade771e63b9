import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { error } from '../../config/diagnostic.js';
import { Workspace } from '../../workspace/layout.js';
import { newRunId, pruneRuns, RUN_ID, RUNS_KEPT } from '../../workspace/run-ids.js';
import type { RunState } from '../../workspace/run-state.js';
import { compile } from '../../graph/compile.js';
import { onlyPhases, selectSubgraph } from '../../graph/select.js';
import { formatDiagnostics } from '../../logger/diagnostic-printer.js';
import { styleFor } from '../../logger/style.js';
import { EXIT, usageFailure, type CommonOptions } from '../exit-codes.js';
import { writeFileAtomic } from '../../util/write-atomic.js';
import { reportFileProblems, type ReporterChoice } from '../../session/reporters.js';
import { Session } from '../../session/session.js';
import { startAlertMonitor } from '../../monitor/alert-monitor.js';
import { exitCodeOf } from '../../report/results.js';
import type { Config } from '../../config/types.js';
import type { Graph } from '../../graph/types.js';
import { Repo } from '../../git/repo.js';
import type { AgentSandbox } from '../../sandbox/sandbox.js';
import { loadOrReport } from './validate.js';
import type { RunRequestOptions } from './run-request.js';
import { sandboxFor } from './sandbox-choice.js';
import { planPhasesClosure } from '../../planner/plan-phases.js';

export interface RunOptions extends CommonOptions {
  readonly phases: readonly string[];
  readonly concurrency?: number;
  readonly keepGoing: boolean;
  readonly reporters: readonly ReporterChoice[];
  readonly graceMs: number;
  /** `orchestra resume`: the earlier run to continue. */
  readonly resume?: RunState;
  /** False with `--no-needs`: only the named phases; the phases they need are taken as done. */
  readonly needs?: boolean;
  /** `--run-id`: a name chosen by the caller (a CI job) instead of a fresh one. */
  readonly runId?: string;
  /** `--timeout`: one agent attempt's limit where the team and the task set none (default 30m). */
  readonly timeoutMs?: number;
  /** `--ui`: serve the dashboard for this run while it works. */
  readonly ui?: { readonly port: number };
  /** False with `--no-preflight`: start without checking the agents' CLIs first. */
  readonly preflight?: boolean;
  /** `--request`: plan first (a planner agent), then run the plan's phases (run-request.ts). */
  readonly request?: RunRequestOptions;
}

export async function runCommand(given: RunOptions): Promise<number> {
  let opts = given;
  let request: string | undefined;
  if (given.request) {
    // Phases named beside --request would be silently replaced by the plan's: say so before a planner is asked.
    if (given.phases.length)
      return usageFailure(`--request plans the phases itself; leave out the phase names (${given.phases.join(' ')}), or run them without --request`);
    // Loaded only here: a plain `orchestra run` does not pay for the planner.
    const { planBeforeRun } = await import('./run-request.js');
    const planned = await planBeforeRun(given.request);
    if ('code' in planned) return planned.code;
    opts = { ...given, phases: planned.phases };
    request = planned.request;
  }
  const { config, outcome } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const print = (ds: Parameters<typeof formatDiagnostics>[0]) => {
    if (ds.length) process.stderr.write(`${formatDiagnostics(ds, outcome.sources, process.cwd(), styleFor(process.stderr))}\n`);
  };
  const reportProblems = reportFileProblems(opts.reporters, { root: config.root, ws: Workspace.of(config.root) });
  if (reportProblems.length) {
    print(reportProblems.map((m) => error(m)));
    return EXIT.usage;
  }
  if (config.phases.length === 0) {
    print([error("the config has no phases to run (add 'phases:' or 'spec:'; 'orchestra check' runs the gates alone)")]);
    return EXIT.usage;
  }
  const compiled = compile(config);
  print(compiled.diagnostics);
  if (!compiled.graph) return EXIT.usage;
  const selected = selectSubgraph(compiled.graph, opts.phases.length ? opts.phases : config.phases.map((p) => p.id), 'phase');
  print(selected.diagnostics);
  if (!selected.graph) return EXIT.usage;
  if (opts.needs === false && opts.phases.length === 0) {
    print([error('--no-needs: name the phases to run (a CI job names its own)')]);
    return EXIT.usage;
  }
  // A planned run: the plan's phases and those they need, not phases pulled in only by a scope ordering.
  const planned = request !== undefined ? planPhasesClosure(config.phases, opts.phases) : undefined;
  const graph = planned ? onlyPhases(selected.graph, planned) : opts.needs === false ? onlyPhases(selected.graph, opts.phases) : selected.graph;

  if (!(await new Repo(config.root).isRepo())) {
    print([error(`orchestra run works in a git repository with at least one commit; ${config.root} has none`)]);
    return EXIT.usage;
  }

  // Before any branch, worktree or .orchestra/ is made: the agents' CLIs are there and take orchestra's flags.
  if (opts.preflight !== false) {
    const { runPreflight } = await import('./doctor.js');
    const refusal = await runPreflight(config, graph);
    if (refusal !== undefined) {
      process.stderr.write(refusal);
      return EXIT.usage;
    }
  }

  const sandbox = await sandboxFor(config, print);
  if (sandbox === null) return EXIT.usage;

  const ws = Workspace.of(config.root).ensure();
  if (opts.runId !== undefined && (!RUN_ID.test(opts.runId) || existsSync(ws.run(opts.runId).dir))) {
    print([
      error(`--run-id ${opts.runId}: ${RUN_ID.test(opts.runId) ? 'a run by that name exists already' : 'expected letters, digits, and . _ - (not first)'}`),
    ]);
    return EXIT.usage;
  }
  const runId = opts.resume?.runId ?? opts.runId ?? newRunId();
  const { acquireLock } = await import('../../workspace/lock.js');
  const lock = acquireLock(ws, runId);
  if (!lock.ok) {
    print([
      error(
        `run ${lock.holder.runId} (pid ${lock.holder.pid}) is working in this repository; one run at a time`,
        undefined,
        "wait for it, or stop it with 'orchestra abort'",
      ),
    ]);
    return EXIT.usage;
  }
  let dashboard: Awaited<ReturnType<typeof startUi>> | undefined;
  try {
    let code: number;
    try {
      dashboard = opts.ui ? await startUi(opts, ws, runId) : undefined;
      code = dashboard === null ? EXIT.usage : await runLocked(opts, config, graph, ws, runId, sandbox, request);
    } finally {
      lock.release();
    }
    // At a terminal the page stays up to be looked at (the repo is free again); a script gets its exit at once.
    if (dashboard && process.stdout.isTTY && code !== EXIT.interrupted) {
      process.stderr.write(`the dashboard stays up at ${dashboard.url} until Ctrl-C\n`);
      await new Promise((resolve) => process.once('SIGINT', resolve));
    }
    return code;
  } finally {
    // Even after a bug: an open server would keep the process alive.
    await dashboard?.close();
  }
}

/** The dashboard for this run; its address is the first line printed (on stderr when JSON owns stdout). Null: the port would not do. */
async function startUi(opts: RunOptions, ws: Workspace, runId: string): Promise<{ url: string; close(): Promise<void> } | null> {
  const port = opts.ui?.port ?? 0;
  const { startDashboard } = await import('../../serve/server.js');
  const { listen } = await import('./serve.js');
  mkdirSync(ws.run(runId).dir, { recursive: true });
  const dashboard = await listen(() => startDashboard({ ws, port, runId }), port);
  if (!dashboard) return null;
  const out = opts.reporters.some((r) => r.name === 'json') ? process.stderr : process.stdout;
  out.write(`${dashboard.url}\n`);
  return dashboard;
}

async function runLocked(
  opts: RunOptions,
  config: Config,
  graph: Graph,
  ws: Workspace,
  runId: string,
  sandbox: AgentSandbox | undefined,
  request?: string,
): Promise<number> {
  if (!opts.resume) pruneRuns(ws, RUNS_KEPT - 1);
  else {
    // The lock is ours, so the killed run is gone: what it started and left running must end before its tasks start again.
    const { stopLeftovers } = await import('../../run/resume.js');
    for (const line of await stopLeftovers(ws.run(runId), opts.graceMs)) process.stderr.write(`orchestra: ${line}\n`);
  }
  const reporters = opts.reporters.length ? opts.reporters : [{ name: 'pretty' as const }];
  const session = await Session.open({ ws, runId, reporters, root: config.root });
  const { runPhases } = await import('../../run/run-phases.js');
  const concurrency = opts.concurrency ?? config.concurrency ?? availableParallelism();
  // Alerts (a silent or asking agent, a loop, a run waiting on nothing) go into the record while the work goes on.
  const monitor = startAlertMonitor(session.bus, config.alerts, runId, (m) => process.stderr.write(`orchestra: warning: ${m}\n`));
  const result = await session.work(concurrency, (pool, signal) =>
    runPhases({
      config,
      graph,
      runId,
      ws,
      concurrency,
      keepGoing: opts.keepGoing,
      graceMs: opts.graceMs,
      bus: session.bus,
      pool,
      signal,
      ...(opts.resume ? { resume: opts.resume } : {}),
      ...(opts.timeoutMs !== undefined ? { agentTimeoutMs: opts.timeoutMs } : {}),
      ...(sandbox ? { sandbox } : {}),
    }).finally(() => monitor.stop()),
  );
  const reportFile = await writeRunReport(session, config, result, request);
  await session.finishView([
    result.ok
      ? `the work is on branch ${result.integrationBranch}; your working tree was not touched. To take it: git merge ${result.integrationBranch}`
      : `what was done so far is on branch ${result.integrationBranch}; the worktrees are kept in ${path.relative(process.cwd(), ws.worktrees(runId).root) || '.'}`,
    `report: ${path.relative(process.cwd(), reportFile) || reportFile}`,
  ]);
  // Tasks and fixes carry their agent work: who, how many runs (for a fix node: its rounds and reviews), tokens, cost.
  await session.report((id) => {
    const a = session.ledger.byNode.get(id);
    return a
      ? {
          agent: a.agent,
          agentRuns: a.runs,
          inputTokens: a.inputTokens,
          outputTokens: a.outputTokens,
          ...(a.costUsd !== undefined ? { costUsd: a.costUsd } : {}),
        }
      : {};
  });
  // 130 interrupted, 70 a node crashed inside orchestra (a bug), 1 a failure, 0 all held.
  return exitCodeOf(session.results);
}

/** `report.md`: what the record says, with the changes as git sees them. */
async function writeRunReport(session: Session, config: Config, result: { base: string; integrationBranch: string }, request?: string): Promise<string> {
  const { runReportMarkdown } = await import('../../report/run-report.js');
  const repo = new Repo(config.root);
  const diffStat = await repo.raw(['diff', '--stat', result.base, result.integrationBranch]).catch(() => '');
  const files = await repo.changedPaths(result.base, result.integrationBranch).catch(() => []);
  const file = session.runDir.report;
  writeFileAtomic(
    file,
    runReportMarkdown(session.results, session.ledger, {
      branch: result.integrationBranch,
      base: result.base,
      diffStat,
      files,
      ...(request !== undefined ? { request } : {}),
    }),
  );
  return file;
}
