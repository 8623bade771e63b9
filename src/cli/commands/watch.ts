import { existsSync, readFileSync, statSync } from 'node:fs';
import { formatDuration } from '../../config/duration.js';
import type { OrchestraEvent } from '../../events/events.js';
import { Workspace, type RunDir } from '../../workspace/layout.js';
import { runIds } from '../../workspace/run-ids.js';
import { nodeStates } from '../../logger/node-states.js';
import { nodeLabel } from '../../logger/plain-renderer.js';
import { formatRunSummary } from '../../logger/run-summary.js';
import { transcriptOf } from '../../logger/transcript.js';
import { transcriptLines } from '../../logger/transcript-text.js';
import { styleFor } from '../../logger/style.js';
import { ResultCollector } from '../../report/results.js';
import { parseEventLines, readEvents, runInfo } from '../../report/run-record.js';
import { LogLines } from '../../exec/log-lines.js';
import { inspectLock, readLock } from '../../workspace/lock.js';
import { describeStale } from '../../workspace/lock-verdict.js';
import { unreachable } from '../../util/unreachable.js';
import { EXIT, type CommonOptions } from '../exit-codes.js';
import { loadOrReport } from './validate.js';
import type { Budget, Config } from '../../config/types.js';

// Looking after runs: everything here reads `.orchestra/` (the event records, logs,
// the lock); nothing reaches into a running orchestra but `abort`'s signal.

/** The run a command is about (the named one, else the latest), or undefined after saying why. */
export async function findRun(opts: CommonOptions & { runId?: string }): Promise<{ ws: Workspace; id: string; runDir: RunDir; config: Config } | undefined> {
  const found = await runsDir(opts);
  if (!found) return undefined;
  const id = opts.runId ? found.ids.find((x) => x === opts.runId) : found.ids.at(-1);
  if (!id) {
    process.stderr.write(`orchestra: error: ${opts.runId ? `no run '${opts.runId}' in .orchestra/runs/ (see 'orchestra list')` : 'no runs yet'}\n`);
    return undefined;
  }
  return { ws: found.ws, id, runDir: found.ws.run(id), config: found.config };
}

export async function runsDir(opts: CommonOptions): Promise<{ ws: Workspace; ids: string[]; config: Config } | undefined> {
  const { config } = await loadOrReport(opts);
  if (!config) return undefined;
  const ws = Workspace.of(config.root);
  return { ws, ids: runIds(ws), config };
}

export async function listCommand(opts: CommonOptions): Promise<number> {
  const found = await runsDir(opts);
  if (!found) return EXIT.usage;
  const style = styleFor(process.stdout);
  const running = readLock(found.ws)?.runId;
  const color = { running: style.cyan, unfinished: style.yellow, interrupted: style.yellow, held: style.green, failed: style.red } as const;
  for (const id of [...found.ids].reverse().slice(0, 20)) {
    const info = runInfo(id, readEvents(found.ws.run(id).events), running);
    const took = info.durationMs !== undefined ? formatDuration(info.durationMs) : '';
    process.stdout.write(`${id}  ${info.command.padEnd(5)}  ${color[info.outcome](info.outcome)}  ${style.dim(took)}\n`);
  }
  if (found.ids.length === 0) process.stdout.write('no runs yet\n');
  return EXIT.ok;
}

export { nodeStates } from '../../logger/node-states.js';

export async function statusCommand(opts: CommonOptions & { runId?: string; watch?: boolean }): Promise<number> {
  const found = await findRun(opts);
  if (!found) return EXIT.usage;
  const { id } = found;
  printStatus(found.ws, id, found.config.budget);
  // --watch: again every second while the run works, then once more with how it ended.
  while (opts.watch && readLock(found.ws)?.runId === id) {
    await new Promise((r) => setTimeout(r, 1000));
    if (process.stdout.isTTY) process.stdout.write('\u001b[2J\u001b[H');
    else process.stdout.write('\n');
    printStatus(found.ws, id, found.config.budget);
  }
  return EXIT.ok;
}

function printStatus(ws: Workspace, id: string, budget: Budget | undefined): void {
  const style = styleFor(process.stdout);
  const events = readEvents(ws.run(id).events);
  const rows = nodeStates(events);
  const running = readLock(ws)?.runId === id;
  const cost = rows.reduce((n, r) => n + r.costUsd, 0);
  process.stdout.write(`${style.bold(`run ${id}`)}  ${running ? style.cyan('running') : 'not running'}${spent(events, cost, budget)}\n`);
  const color = (s: string) =>
    s === 'passed' || s === 'cached' ? style.green(s) : s === 'failed' ? style.red(s) : s === 'running' ? style.cyan(s) : style.dim(s);
  for (const r of rows) {
    const extra = [r.agent ? `agent ${r.agent}` : '', r.attempts > 1 ? `attempt ${r.attempts}` : '', r.elapsedMs ? formatDuration(r.elapsedMs) : '']
      .filter(Boolean)
      .join(' · ');
    process.stdout.write(`  ${color(r.state.padEnd(8))} ${r.node.kind.padEnd(10)} ${nodeLabel(r.node)}${extra ? style.dim(`  ${extra}`) : ''}\n`);
    // Why it failed (or was skipped), in the record's words, one line.
    if (r.state === 'running' && r.activity) process.stdout.write(`  ${' '.repeat(8)} ${' '.repeat(10)} ${style.dim(`… ${r.activity}`)}\n`);
    if (r.why && r.state !== 'passed') process.stdout.write(`  ${' '.repeat(8)} ${' '.repeat(10)} ${style.dim(`↳ ${r.why.split('\n')[0]?.slice(0, 200)}`)}\n`);
  }
  const alerts = events.filter((e) => e.type === 'alert');
  if (alerts.length) process.stdout.write(`${style.yellow(`alerts (${alerts.length})`)}\n`);
  const labels = new Map(rows.map((r) => [r.node.id, nodeLabel(r.node)]));
  for (const a of alerts.slice(-ALERTS_SHOWN)) {
    const about =
      a.node === null
        ? 'run'
        : (labels.get(a.node) ?? labels.get(a.node.split('#')[0] ?? '') ?? a.node) + (a.node.includes('#') ? ` (${a.node.split('#')[1]})` : '');
    process.stdout.write(`  ${style.yellow(a.kind.padEnd(10))} ${about}: ${a.message} ${style.dim(new Date(a.ts).toISOString().slice(11, 19))}\n`);
  }
}

/** The latest alerts `status` shows; the record has all of them. */
const ALERTS_SHOWN = 10;

/** What the run has spent, against the config's budget where it sets one: `$0.4100 of $5 · 12m3s of 60m`. */
function spent(events: readonly OrchestraEvent[], cost: number, budget: Budget | undefined): string {
  const first = events.find((e) => e.type === 'run-started');
  const last = [...events].reverse().find((e) => e.type === 'run-finished');
  const elapsed = first ? (last?.type === 'run-finished' ? last.durationMs : Date.now() - first.ts) : 0;
  const parts = [
    cost || budget?.usd !== undefined ? `$${cost.toFixed(4)}${budget?.usd !== undefined ? ` of $${budget.usd}` : ''}` : '',
    budget?.minutes !== undefined ? `${formatDuration(elapsed)} of ${budget.minutes}m` : '',
  ].filter(Boolean);
  return parts.length ? `  spent ${parts.join(' · ')}` : '';
}

export async function logsCommand(opts: CommonOptions & { node: string; runId?: string; follow: boolean; events: boolean; raw?: boolean }): Promise<number> {
  const found = await findRun(opts);
  if (!found) return EXIT.usage;
  const { id, runDir } = found;
  const events = readEvents(runDir.events);
  const start = events.find((e) => e.type === 'run-started');
  const nodes = start?.type === 'run-started' ? start.nodes : [];
  // A node of the graph, or one the record holds beyond it (`apply`, and its rounds `apply#merge1`, after the run).
  const node =
    nodes.find((n) => n.id === opts.node || n.name === opts.node || nodeLabel(n) === opts.node) ??
    (events.some((e) => 'nodeId' in e && e.nodeId === opts.node) ? { id: opts.node, kind: 'extra' as const } : undefined);
  if (!node) {
    process.stderr.write(`orchestra: error: run ${id} has no node '${opts.node}'\n  nodes: ${nodes.map((n) => n.name).join(', ')}\n`);
    return EXIT.usage;
  }
  if (opts.events) {
    // The record is read as it grows: with -f, each agent event shows up as the agent works.
    const record = new LogLines(runDir.events);
    const show = (final: boolean): void => {
      for (const e of parseEventLines(record.read(final).join('\n')))
        if (e.type === 'agent-event' && e.nodeId.split('#')[0] === node.id) process.stdout.write(`${JSON.stringify(e.event)}\n`);
    };
    show(false);
    while (opts.follow && readLock(found.ws)?.runId === id) {
      await new Promise((r) => setTimeout(r, 200));
      show(false);
    }
    show(true);
    return EXIT.ok;
  }
  // An agent's node: its transcript, unless the bytes are asked for. An agent that printed no events yet (a command
  // agent, whose output orchestra does not parse; or one still starting) shows its output as it printed it.
  const hasEvents = events.some((e) => e.type === 'agent-event' && (e.nodeId === node.id || e.nodeId.startsWith(`${node.id}#`)));
  if (!opts.raw && node.kind !== 'gate' && node.kind !== 'checkpoint' && hasEvents) {
    const style = styleFor(process.stdout);
    let printed = 0;
    const show = (settled: boolean): void => {
      const lines = transcriptLines(transcriptOf(readEvents(runDir.events), node.id), style, settled);
      for (const l of lines.slice(printed)) process.stdout.write(`${l}\n`);
      printed = Math.max(printed, lines.length);
    };
    while (opts.follow && readLock(found.ws)?.runId === id) {
      show(true);
      await new Promise((r) => setTimeout(r, 200));
    }
    show(false);
    return EXIT.ok;
  }
  const file = runDir.logFile(node.id);
  let shown = 0;
  const show = (): void => {
    if (!existsSync(file)) return;
    const size = statSync(file).size;
    if (size <= shown) return;
    process.stdout.write(readFileSync(file).subarray(shown, size));
    shown = size;
  };
  show();
  // -f: follow while the run that writes it holds the lock.
  while (opts.follow && readLock(found.ws)?.runId === id) {
    await new Promise((r) => setTimeout(r, 200));
    show();
  }
  show();
  return EXIT.ok;
}

export async function reportCommand(opts: CommonOptions & { runId?: string }): Promise<number> {
  const found = await findRun(opts);
  if (!found) return EXIT.usage;
  const { runDir } = found;
  const md = runDir.report;
  if (existsSync(md)) process.stdout.write(readFileSync(md, 'utf8'));
  else {
    // A check run has no markdown report: its summary, rebuilt from the record.
    const collector = new ResultCollector();
    for (const e of readEvents(runDir.events)) collector.subscriber(e);
    process.stdout.write(formatRunSummary(collector.run, styleFor(process.stdout)));
  }
  return EXIT.ok;
}

/**
 * Stops the running run as Ctrl-C would: every process ended, state saved,
 * resumable. The lock's pid is signalled only when it is believed to be the
 * run that wrote the lock (see `lock-verdict.ts`): an agent without a sandbox
 * can write the lock, and must not be able to aim orchestra's signal.
 */
export async function abortCommand(opts: CommonOptions): Promise<number> {
  const found = await runsDir(opts);
  if (!found) return EXIT.usage;
  const { ws } = found;
  const state = inspectLock(ws);
  switch (state.kind) {
    case 'none':
      process.stdout.write('no run is working in this repository\n');
      return EXIT.ok;
    case 'stale':
      if (state.why === 'gone') {
        process.stdout.write('no run is working in this repository\n');
        return EXIT.ok;
      }
      process.stderr.write(
        `orchestra: error: ${ws.lockFile} ${describeStale(state.why)}${state.pid !== undefined ? ` (pid ${state.pid})` : ''}: not signalled; the lock is stale and the next run takes it over\n`,
      );
      return EXIT.usage;
    case 'held':
      break;
    default:
      return unreachable(state);
  }
  const holder = state.info;
  // Between the check and the signal the pid could only change hands if the run ended and the pid were reused in that instant.
  try {
    process.kill(holder.pid, 'SIGINT');
  } catch {
    // ended on its own just now
  }
  const stillHeld = (): boolean => {
    const now = readLock(ws);
    return now !== undefined && now.pid === holder.pid && now.token === holder.token;
  };
  for (let i = 0; i < 300 && stillHeld(); i++) await new Promise((r) => setTimeout(r, 100));
  if (stillHeld()) {
    process.stderr.write(`orchestra: run ${holder.runId} (pid ${holder.pid}) is still stopping\n`);
    return EXIT.failed;
  }
  process.stdout.write(`stopped run ${holder.runId}; 'orchestra resume ${holder.runId}' continues it\n`);
  return EXIT.ok;
}
