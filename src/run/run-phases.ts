import { mkdirSync, writeFileSync } from 'node:fs';
import { ADAPTERS } from '../agents/adapters/index.js';
import { agentEnv, launchFor } from '../agents/launch.js';
import type { AgentOutcome, Launch } from '../agents/types.js';
import type { Agent, Config, Task } from '../config/types.js';
import type { EventBus, NodeInfo, NodeStatus } from '../events/events.js';
import { indexFiles } from '../exec/file-index.js';
import type { Workspace } from '../workspace/layout.js';
import { RunStateStore, type RunState } from '../workspace/run-state.js';
import type { WorkerPool } from '../exec/pool.js';
import { runGateOnce, type GateEnv, type OnceResult } from '../exec/run-gates.js';
import { walk, type Outcome } from '../exec/scheduler.js';
import { Repo } from '../git/repo.js';
import type { FixNode, GateNode, Graph, TaskNode } from '../graph/types.js';
import { commandText } from '../graph/types.js';
import { unreachable } from '../util/unreachable.js';
import { AgentSlots, Mutex } from './agent-slots.js';
import { failureSignature, fixPrompt, fixTemplate, parseVerdict, reviewPrompt, type GateFailure } from './fix-prompt.js';
import { earlierFix, readPatterns, recordPattern } from './patterns.js';
import { scopeViolations } from './scope.js';

export interface PhaseRunOptions {
  readonly config: Config;
  /** Phase nodes only (tasks, phase gates, fixes, checkpoints). */
  readonly graph: Graph;
  readonly runId: string;
  readonly ws: Workspace;
  readonly concurrency: number;
  readonly keepGoing: boolean;
  readonly graceMs: number;
  readonly bus: EventBus;
  readonly pool: WorkerPool;
  readonly signal: AbortSignal;
  /** Continue an earlier run: its phases with a checkpoint are not redone. */
  readonly resume?: RunState;
}

export interface PhaseRunResult {
  readonly ok: boolean;
  readonly interrupted: boolean;
  readonly integrationBranch: string;
  readonly base: string;
  readonly statuses: ReadonlyMap<string, NodeStatus>;
}

const TAIL_BYTES = 16 * 1024;
const TRANSIENT_RETRIES = 2;

/**
 * `orchestra run`: every task in its own worktree on `orchestra-task/<run>/<task>`,
 * branched from its phase's base on the integration branch `orchestra/<run>`
 * (which starts at the user's HEAD); its changes committed, checked against
 * its scope and merged; the phase's gates run in the integration worktree;
 * failures handed to the fix agent; a checkpoint commit and tag per phase.
 * The user's working tree, index and branches are never touched.
 */
export async function runPhases(opts: PhaseRunOptions): Promise<PhaseRunResult> {
  const { config, graph, bus, runId } = opts;
  const started = Date.now();
  const repo = new Repo(config.root);
  const base = opts.resume?.base ?? (await repo.head());
  const integrationBranch = `orchestra/${runId}`;
  const runDir = opts.ws.run(runId);
  const worktrees = opts.ws.worktrees(runId);
  const integration = worktrees.integration;
  for (const d of [runDir.logs, runDir.prompts, worktrees.root]) mkdirSync(d, { recursive: true });
  const store = new RunStateStore(opts.ws);
  const checkpoints: Record<string, string> = { ...(opts.resume?.checkpoints ?? {}) };
  const saveState = (finished: boolean, ok: boolean): void => store.write({ runId, base, integrationBranch, ok, finished, checkpoints });
  if (opts.resume) await prepareResume(repo, opts.resume, integration);
  else await repo.addWorktree(integration, integrationBranch, base);
  saveState(false, false);

  const needs = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const e of graph.edges) needs.get(e.to)?.push(e.from);
  const nodes: NodeInfo[] = graph.nodes.map((n) => ({ id: n.id, kind: n.kind, name: n.name, phase: n.phase, needs: needs.get(n.id) ?? [] }));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  bus.emit({ type: 'run-started', ts: started, runId, command: 'run', root: config.root, nodes });

  const slots = new AgentSlots(config.team ?? { file: '', agents: [] });
  const integrationLock = new Mutex();
  const phaseBase = new Map<string, Promise<string>>();
  const gateResults = new Map<string, Map<string, OnceResult & { command: string }>>();
  const hasFix = new Set(graph.nodes.filter((n) => n.kind === 'fix').map((n) => n.phase));
  const logFile = (id: string) => runDir.logFile(id);
  const gateEnv: GateEnv = { config, root: integration, runId, concurrency: opts.concurrency, graceMs: opts.graceMs, bus, pool: opts.pool };
  const note = (nodeId: string, message: string) => bus.emit({ type: 'note', ts: Date.now(), nodeId, message });
  const finish = (nodeId: string, t0: number, outcome: Outcome & { message?: string; tail?: string; exitCode?: number | null }): Outcome => {
    bus.emit({
      type: 'node-finished',
      ts: Date.now(),
      nodeId,
      status: outcome.status,
      durationMs: Date.now() - t0,
      exitCode: outcome.exitCode ?? null,
      signal: null,
      attempts: 1,
      logFile: logFile(nodeId),
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.message ? { message: outcome.message } : {}),
      ...(outcome.tail !== undefined ? { tail: outcome.tail } : {}),
    });
    return outcome;
  };

  // Budgets: spent minutes since the run (or the phase) started, and agent cost as the CLIs report it.
  let spentUsd = 0;
  const phaseStarted = new Map<string, number>();
  const phaseUsd = new Map<string, number>();
  const phaseBudget = new Map(config.phases.map((p) => [p.id, p.budget]));
  const overBudget = (phase: string): string | undefined => {
    const now = Date.now();
    const run = config.budget;
    const ph = phaseBudget.get(phase);
    if (run?.minutes !== undefined && now - started > run.minutes * 60_000) return `the run's budget of ${run.minutes} minutes is spent`;
    if (run?.usd !== undefined && spentUsd >= run.usd) return `the run's budget of $${run.usd} is spent ($${spentUsd.toFixed(4)})`;
    if (ph?.minutes !== undefined && now - (phaseStarted.get(phase) ?? now) > ph.minutes * 60_000)
      return `phase ${phase}'s budget of ${ph.minutes} minutes is spent`;
    if (ph?.usd !== undefined && (phaseUsd.get(phase) ?? 0) >= ph.usd)
      return `phase ${phase}'s budget of $${ph.usd} is spent ($${(phaseUsd.get(phase) ?? 0).toFixed(4)})`;
    return undefined;
  };

  /** Runs an agent on a prompt in a directory: transient failures retried with backoff, an environment failure corrected once. */
  const runAgent = async (
    nodeId: string,
    ref: string,
    phase: string,
    taskName: string,
    prompt: string,
    cwd: string,
    signal: AbortSignal,
    timeoutMs?: number,
    /** A reviewer's exit code is its answer, not a crash to retry. */
    answers = false,
  ): Promise<{ agent?: Agent; outcome: AgentOutcome; tail: string; exitCode?: number | null }> => {
    if (!phaseStarted.has(phase)) phaseStarted.set(phase, Date.now());
    const spent = overBudget(phase);
    if (spent) return { outcome: { ok: false, failure: { class: 'final', reason: `no agent started: ${spent}` }, usage: {} }, tail: '' };
    const agent = await slots.acquire(ref, signal);
    if (!agent)
      return {
        outcome: { ok: false, failure: { class: 'final', reason: signal.aborted ? 'interrupted' : `no agent has id or role '${ref}'` }, usage: {} },
        tail: '',
      };
    try {
      const promptFile = runDir.promptFile(nodeId);
      writeFileSync(promptFile, prompt);
      let launch: Launch = launchFor(agent, { prompt, promptFile, workdir: cwd });
      let corrected = false;
      for (let attempt = 1; ; attempt++) {
        bus.emit({ type: 'node-started', ts: Date.now(), nodeId, attempt });
        const result = await opts.pool.runCommand(
          {
            command: { argv: launch.argv },
            cwd,
            env: agentEnv(agent, { runId, phase, task: taskName, role: ref, attempt, promptFile }),
            ...((agent.timeoutMs ?? timeoutMs) !== undefined ? { timeoutMs: agent.timeoutMs ?? timeoutMs } : {}),
            graceMs: opts.graceMs,
            logFile: logFile(nodeId),
            tailBytes: TAIL_BYTES,
            ...(launch.stdin !== undefined ? { stdinFile: promptFile } : {}),
          },
          (line) => bus.emit({ type: 'node-output', ts: Date.now(), nodeId, line }),
          signal,
          agent.use,
        );
        for (const event of result.agent?.events ?? []) bus.emit({ type: 'agent-event', ts: Date.now(), nodeId, agent: agent.id, event });
        const outcome: AgentOutcome = result.timedOut
          ? { ok: false, failure: { class: 'final', reason: `timed out after ${agent.timeoutMs ?? timeoutMs} ms` }, usage: result.agent?.outcome.usage ?? {} }
          : result.interrupted || signal.aborted
            ? { ok: false, failure: { class: 'final', reason: 'interrupted' }, usage: {} }
            : (result.agent?.outcome ??
              (result.spawnError !== undefined
                ? { ok: false, failure: { class: 'final', reason: `could not start: ${result.spawnError}` }, usage: {} }
                : result.exitCode === 0
                  ? { ok: true, usage: {} }
                  : // A plain command agent that crashed may well succeed on a second try.
                    {
                      ok: false,
                      failure: { class: 'transient', reason: result.exitCode === null ? `killed by ${result.signal}` : `exit code ${result.exitCode}` },
                      usage: {},
                    }));
        bus.emit({
          type: 'agent-finished',
          ts: Date.now(),
          nodeId,
          agent: agent.id,
          ok: outcome.ok,
          usage: outcome.usage,
          ...(outcome.failure ? { failure: outcome.failure } : {}),
        });
        spentUsd += outcome.usage.costUsd ?? 0;
        phaseUsd.set(phase, (phaseUsd.get(phase) ?? 0) + (outcome.usage.costUsd ?? 0));
        if (outcome.ok || signal.aborted || (answers && result.exitCode !== null && !result.agent))
          return { agent, outcome, tail: result.tail, exitCode: result.exitCode };
        if (outcome.failure?.class === 'transient' && attempt <= TRANSIENT_RETRIES) {
          note(nodeId, `${outcome.failure.reason}: trying again (${attempt + 1} of ${TRANSIENT_RETRIES + 1})`);
          await repo.raw(['checkout', '--', '.'], cwd).catch(() => undefined);
          await repo.raw(['clean', '-fdq'], cwd).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
          continue;
        }
        const fixedLaunch =
          outcome.failure?.class === 'environment' && !corrected && agent.use ? ADAPTERS[agent.use].correct(launch, outcome, result.tail) : undefined;
        if (fixedLaunch) {
          note(nodeId, `${outcome.failure?.reason}: restarting with a corrected command line`);
          launch = fixedLaunch;
          corrected = true;
          continue;
        }
        return { agent, outcome, tail: result.tail };
      }
    } finally {
      slots.release(agent);
    }
  };

  const runTask = async (node: TaskNode, signal: AbortSignal): Promise<Outcome> => {
    const t0 = Date.now();
    const task: Task = node.task;
    const phase = task.phase;
    if (!phaseBase.has(phase))
      phaseBase.set(
        phase,
        integrationLock.run(() => repo.revParse('HEAD', integration)),
      );
    const from = await (phaseBase.get(phase) as Promise<string>);
    const wt = worktrees.task(task.id);
    const branch = `orchestra-task/${runId}/${task.id}`;
    // A task interrupted before restarts from its phase base.
    await repo.removeWorktree(wt);
    await repo.raw(['branch', '-D', branch]).catch(() => undefined);
    await repo.addWorktree(wt, branch, from);
    const scopeNote = task.scope.touch.length ? `\n\nYou may change only files matching: ${task.scope.touch.join(', ')}.` : '';
    const forbidNote = task.scope.forbid.length ? `\nDo not change files matching: ${task.scope.forbid.join(', ')}.` : '';
    const { agent, outcome, tail } = await runAgent(
      node.id,
      task.agent.id,
      phase,
      task.id,
      `${task.prompt}${scopeNote}${forbidNote}\n`,
      wt,
      signal,
      task.timeoutMs,
    );
    if (!outcome.ok)
      return finish(node.id, t0, {
        status: 'failed',
        reason: signal.aborted ? 'interrupted' : 'exit-code',
        message: `agent ${agent?.id ?? task.agent.id}: ${outcome.failure?.reason ?? 'failed'}`,
        tail,
      });
    const commit = await repo.commitAll(wt, `orchestra(${phase}): ${task.id}\n\nagent: ${agent?.id}\nrun: ${runId}`);
    if (!commit) {
      note(node.id, 'the agent changed nothing');
      await repo.removeWorktree(wt);
      return finish(node.id, t0, { status: 'passed', tail });
    }
    const changed = await repo.changedPaths(from, commit, wt);
    const violations = scopeViolations(changed, task.scope);
    if (violations.length > 0) {
      const list = violations.map((v) => `${v.path} (${v.why})`).join(', ');
      return finish(node.id, t0, { status: 'failed', reason: 'exit-code', message: `changed files outside its scope, so nothing was merged: ${list}`, tail });
    }
    const merged = await integrationLock.run(() => repo.merge(integration, branch, `orchestra(${phase}): merge ${task.id}`));
    if (!merged.ok)
      return finish(node.id, t0, { status: 'failed', reason: 'exit-code', message: `could not merge into ${integrationBranch}: ${merged.conflict}`, tail });
    note(node.id, `${changed.length} ${changed.length === 1 ? 'file' : 'files'} changed, merged into ${integrationBranch}`);
    await repo.removeWorktree(wt);
    return finish(node.id, t0, { status: 'passed', tail });
  };

  const runPhaseGate = async (node: GateNode, signal: AbortSignal): Promise<Outcome> => {
    const t0 = Date.now();
    const phase = node.phase as string;
    bus.emit({ type: 'node-started', ts: t0, nodeId: node.id, attempt: 1 });
    const index = node.gate.rule ? await indexFiles(integration) : undefined;
    const result = await runGateOnce(node.gate, node.id, logFile(node.id), signal, gateEnv, index);
    const command = node.gate.run ? [commandText(node.gate.run)].flat().join(' ') : `rule ${node.gate.rule?.id}`;
    if (!gateResults.has(phase)) gateResults.set(phase, new Map());
    gateResults.get(phase)?.set(node.gate.name, { ...result, command });
    const failed = result.reason !== undefined;
    finish(node.id, t0, {
      status: failed ? 'failed' : 'passed',
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.message ? { message: result.message } : {}),
      tail: result.tail,
      exitCode: result.exitCode,
    });
    // With a fix loop, a failing gate is the fix node's to handle: the phase goes on to it.
    return { status: failed && !hasFix.has(phase) ? 'failed' : 'passed' };
  };

  const runFix = async (node: FixNode, signal: AbortSignal): Promise<Outcome> => {
    const t0 = Date.now();
    const phase = node.phase as string;
    const gateNodes = graph.nodes.filter((n): n is GateNode => n.kind === 'gate' && n.phase === phase);
    const failures = (): GateFailure[] =>
      [...(gateResults.get(phase) ?? new Map<string, OnceResult & { command: string }>()).entries()]
        .filter(([, r]) => r.reason !== undefined)
        .map(([gate, r]) => ({ gate, command: r.command, exitCode: r.exitCode, message: r.message ?? 'failed', findings: r.findings ?? [], tail: r.tail }));
    /** Once the gates pass, the reviewer's verdict: undefined to approve, or the changes asked for as a failure. */
    const review = async (round: number): Promise<GateFailure | undefined> => {
      if (!node.review) return undefined;
      const phaseFrom = await (phaseBase.get(phase) ?? Promise.resolve(base));
      const diff = await repo.diff(phaseFrom, 'HEAD', integration);
      const prompt = reviewPrompt(phase, diff);
      const r = await integrationLock.run(() =>
        runAgent(`${node.id}#review${round}`, node.review as string, phase, `review-${round}`, prompt, integration, signal, undefined, true),
      );
      const verdict = parseVerdict(r.outcome.final ?? '', r.tail, r.exitCode ?? (r.outcome.ok ? 0 : 1));
      note(node.id, verdict.approve ? `review ${round}: approved` : `review ${round}: changes asked for`);
      return verdict.approve
        ? undefined
        : {
            gate: 'review',
            command: `review by ${r.agent?.id ?? node.review}`,
            exitCode: r.exitCode ?? null,
            message: 'the reviewer asked for changes',
            findings: [],
            tail: verdict.comments,
          };
    };
    let failing = failures();
    bus.emit({ type: 'node-started', ts: t0, nodeId: node.id, attempt: 1 });
    if (failing.length === 0) {
      const asked = await review(0);
      if (!asked) {
        note(node.id, node.review ? 'every gate passed and the reviewer approved' : 'every gate passed: nothing to fix');
        return finish(node.id, t0, { status: 'passed' });
      }
      failing = [asked];
    }
    const template = fixTemplate(opts.ws.fixPromptFile);
    const learned = readPatterns(opts.ws.patternsFile);
    let previous = '';
    for (let round = 1; round <= node.attempts; round++) {
      const signature = failureSignature(failing);
      if (signature === previous)
        return finish(node.id, t0, {
          status: 'failed',
          reason: 'exit-code',
          message: `no progress: round ${round - 1} left the same failures (${failing.map((f) => f.gate).join(', ')})`,
        });
      previous = signature;
      const phaseFrom = await (phaseBase.get(phase) ?? Promise.resolve(base));
      const diff = await repo.diff(phaseFrom, 'HEAD', integration);
      const withHistory = failing.map((f) => {
        const p = earlierFix(learned, f);
        return p ? { ...f, earlierFix: p.diff } : f;
      });
      const prompt = fixPrompt(template, phase, round, node.attempts, withHistory, diff);
      // What the gates left behind (build output, caches) is not the fix agent's to commit.
      await integrationLock.run(async () => {
        await repo.raw(['checkout', '--', '.'], integration);
        await repo.raw(['clean', '-fdq'], integration);
      });
      const { outcome } = await integrationLock.run(() => runAgent(`${node.id}#${round}`, node.agent, phase, `fix-${round}`, prompt, integration, signal));
      if (!outcome.ok) note(node.id, `round ${round}: the fix agent failed (${outcome.failure?.reason ?? 'failed'})`);
      const beforeRound = await repo.revParse('HEAD', integration);
      await integrationLock.run(() => repo.commitAll(integration, `orchestra(${phase}): fix round ${round}\n\nrun: ${runId}`));
      if (signal.aborted) return finish(node.id, t0, { status: 'failed', reason: 'interrupted', message: 'interrupted' });
      // The failed gates and everything after them: here, every gate of the phase, in order.
      for (const g of gateNodes) await runPhaseGate(g, signal);
      const before = failing;
      failing = failures();
      if (failing.length === 0) {
        const asked = await review(round);
        if (asked) failing = [asked];
      }
      const healed = before.filter((f) => f.gate !== 'review' && !failing.some((x) => x.gate === f.gate));
      if (healed.length > 0) {
        const fixDiff = await repo.raw(['diff', beforeRound, 'HEAD'], integration);
        if (fixDiff.trim()) for (const f of healed) recordPattern(opts.ws.patternsFile, f, phase, runId, fixDiff);
      }
      if (failing.length === 0) {
        note(node.id, `round ${round} made every gate pass${node.review ? ' and the reviewer approved' : ''}`);
        return finish(node.id, t0, { status: 'passed' });
      }
    }
    return finish(node.id, t0, {
      status: 'failed',
      reason: 'exit-code',
      message: `gates still fail after ${node.attempts} ${node.attempts === 1 ? 'round' : 'rounds'}: ${failing.map((f) => f.gate).join(', ')}`,
    });
  };

  const runCheckpoint = async (nodeId: string, phase: string): Promise<Outcome> => {
    const t0 = Date.now();
    bus.emit({ type: 'node-started', ts: t0, nodeId, attempt: 1 });
    const sha = await integrationLock.run(() => repo.commitEmpty(integration, `orchestra: checkpoint ${phase}\n\nrun: ${runId}`));
    await repo.tag(`orchestra/${runId}/${phase}`, sha);
    checkpoints[phase] = sha;
    saveState(false, false);
    note(nodeId, `tagged orchestra/${runId}/${phase} at ${sha.slice(0, 10)}`);
    return finish(nodeId, t0, { status: 'passed' });
  };

  const runNode = async (id: string, signal: AbortSignal): Promise<Outcome> => {
    const node = byId.get(id);
    if (!node) throw new Error(`unknown node ${id}`);
    if (node.phase !== null && checkpoints[node.phase] !== undefined && opts.resume) {
      // Done before the interruption: its checkpoint holds, so it is not redone.
      bus.emit({ type: 'node-finished', ts: Date.now(), nodeId: id, status: 'cached', durationMs: 0, exitCode: null, signal: null, attempts: 0 });
      return { status: 'cached' };
    }
    switch (node.kind) {
      case 'task':
        return runTask(node, signal);
      case 'gate':
        return runPhaseGate(node, signal);
      case 'fix':
        return runFix(node, signal);
      case 'checkpoint':
        return runCheckpoint(node.id, node.name);
      default:
        return unreachable(node);
    }
  };

  const { statuses, counts, ok, interrupted } = await walk(
    nodes.map((n) => ({ id: n.id, needs: n.needs })),
    runNode,
    { concurrency: opts.concurrency, keepGoing: opts.keepGoing, signal: opts.signal, bus, label: (nodeId) => byId.get(nodeId)?.name ?? nodeId },
  );
  saveState(true, ok);
  // A run that held leaves only its branch and tags; a failed one keeps its worktrees to look at.
  if (ok) await repo.removeWorktree(integration);
  bus.emit({ type: 'run-finished', ts: Date.now(), ok, interrupted, durationMs: Date.now() - started, counts });
  return { ok, interrupted, integrationBranch, base, statuses };
}

/**
 * Brings back a run's integration worktree at its last checkpoint: phases
 * after it are redone from there (exact for phases that run one after another;
 * two unfinished phases that ran side by side both start again).
 */
async function prepareResume(repo: Repo, state: RunState, integration: string): Promise<void> {
  await repo.removeWorktree(integration);
  await repo.raw(['worktree', 'prune']);
  const history = (await repo.raw(['rev-list', state.integrationBranch])).split('\n').filter(Boolean);
  const done = new Set(Object.values(state.checkpoints));
  const last = history.find((c) => done.has(c)) ?? state.base;
  await repo.raw(['branch', '-f', state.integrationBranch, last]);
  await repo.raw(['worktree', 'add', '-q', integration, state.integrationBranch]);
}
