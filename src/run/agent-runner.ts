import { writeFileSync } from 'node:fs';
import { ADAPTERS } from '../agents/adapters/index.js';
import { agentEnv, launchFor } from '../agents/launch.js';
import { DENIED, type AgentOutcome, type Launch } from '../agents/types.js';
import type { Agent } from '../config/types.js';
import type { EventBus } from '../events/events.js';
import type { WorkerPool } from '../exec/pool.js';
import { readGitLink, restoreGitLink } from '../git/worktree-link.js';
import type { CommandJobResult } from '../exec/worker.js';
import type { AgentSandbox, Sandboxed } from '../sandbox/sandbox.js';
import type { RunDir } from '../workspace/layout.js';
import { unreachable } from '../util/unreachable.js';
import { classifyAttempt, nextStep, withHint } from './agent-decisions.js';
import type { AgentSlots } from './agent-slots.js';
import type { BudgetLedger } from './budget.js';
import { prepareMcp, type McpForAttempt, type OrchestraCommand } from './agent-mcp.js';
import { channelEvent } from './channel-entry.js';
import { ChannelReader } from './channel-reader.js';
import type { AgentRequest, AgentResult, RunsAgents } from './agent-request.js';
import { sandboxRefusals, sizeOf } from './sandbox-refusals.js';

export interface AgentRunnerDeps {
  readonly runId: string;
  readonly runDir: RunDir;
  readonly bus: EventBus;
  readonly pool: Pick<WorkerPool, 'runCommand'>;
  readonly slots: AgentSlots;
  readonly budget: BudgetLedger;
  readonly graceMs: number;
  /** Puts a worktree back as it was before a failed attempt, so a retry starts clean. */
  readonly resetTree: (cwd: string) => Promise<void>;
  /** Transient failures are tried again this many times. */
  readonly retries: number;
  /**
   * Checked after every attempt, before orchestra runs git in the agent's
   * tree again: why the run must stop (the agent changed the user's
   * repository), or undefined.
   */
  readonly guard?: () => Promise<string | undefined>;
  /** `run --timeout`: for agents and tasks without a timeout of their own. */
  readonly defaultTimeoutMs?: number;
  /** Every agent process starts inside it; none with `sandbox: off` or where it cannot work. */
  readonly sandbox?: AgentSandbox;
  /** The user's repository: a write the sandbox refused there, from outside the agent's worktree, fails the attempt. */
  readonly repoRoot?: string;
  /** How to start orchestra for `orchestra mcp` inside an agent's CLI; without it no agent gets the server. */
  readonly orchestra?: OrchestraCommand;
  readonly sleep?: (ms: number) => Promise<void>;
}

const TAIL_BYTES = 16 * 1024;
const DEFAULT_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_IDLE_MS = 10 * 60_000;

const refused = (reason: string): AgentResult => ({ outcome: { ok: false, failure: { class: 'final', reason }, usage: {} }, tail: '' });

/**
 * Runs an agent: budget → a free slot → the prompt on disk → launch → one
 * attempt in the pool → classify → the next step (done, retry after a
 * backoff, or once with the adapter's corrected command line). Every
 * attempt's cost is charged to the budget.
 */
export class AgentRunner implements RunsAgents {
  constructor(private readonly deps: AgentRunnerDeps) {}

  async run(req: AgentRequest): Promise<AgentResult> {
    const spent = this.deps.budget.check(req.phase);
    if (spent) return refused(`no agent started: ${spent}`);
    const agent = await this.deps.slots.acquire(req.ref, req.signal);
    if (!agent) return refused(req.signal.aborted ? 'interrupted' : `no agent has id or role '${req.ref}'`);
    try {
      return await this.#attempts(agent, req);
    } finally {
      this.deps.slots.release(agent);
    }
  }

  async #attempts(agent: Agent, req: AgentRequest): Promise<AgentResult> {
    const promptFile = this.#writePrompt(req);
    // The server for this request, when it gets one: every attempt shares it (a retry's calls count for the task).
    const { orchestra, runId, runDir } = this.deps;
    const mcp =
      orchestra && req.selfCheck
        ? prepareMcp(
            orchestra,
            runDir,
            { runId, phase: req.phase, task: req.label, workdir: req.cwd, key: req.nodeId, toolTimeoutMs: this.#timeoutMs(agent, req) },
            { ...process.env, ...agent.env },
          )
        : undefined;
    const reader = mcp && new ChannelReader(mcp.channelFile, (entry) => this.deps.bus.emit(channelEvent(req.nodeId, entry, Date.now())));
    reader?.start();
    try {
      return await this.#attemptsWith(agent, req, promptFile, mcp);
    } finally {
      reader?.stop();
    }
  }

  async #attemptsWith(agent: Agent, req: AgentRequest, promptFile: string, mcp: McpForAttempt | undefined): Promise<AgentResult> {
    let launch: Launch = launchFor(agent, {
      prompt: req.prompt,
      promptFile,
      workdir: req.cwd,
      ...(req.forbid ? { forbid: req.forbid } : {}),
      ...(mcp ? { mcp: mcp.spec } : {}),
    });
    let corrected = false;
    const gitLink = readGitLink(req.cwd);
    for (let attempt = 1; ; attempt++) {
      const { result, intruded } = await this.#attemptOnce(agent, req, launch, attempt, promptFile, mcp);
      const outcome = withHint(
        agent,
        classifyAttempt({
          timedOut: result.timedOut,
          timeoutMs: this.#timeoutMs(agent, req),
          idle: result.idle,
          idleTimeoutMs: this.#idleTimeoutMs(agent),
          interrupted: result.interrupted || req.signal.aborted,
          ...(result.agent ? { parsed: result.agent.outcome } : {}),
          ...(result.spawnError !== undefined ? { spawnError: result.spawnError } : {}),
          exitCode: result.exitCode,
          signal: result.signal,
          output: result.tail,
        }),
      );
      const tampered = this.#gitLinkChanged(req.cwd, gitLink) ?? intruded ?? (await this.deps.guard?.());
      if (tampered) {
        const stopped: AgentOutcome = { ok: false, failure: { class: 'final', reason: tampered }, usage: outcome.usage };
        this.#recordAttempt(agent, req, stopped, mcp !== undefined);
        return { agent, outcome: stopped, tail: result.tail, exitCode: result.exitCode, attempts: attempt };
      }
      this.#recordAttempt(agent, req, outcome, mcp !== undefined);
      const correction = outcome.failure?.class === 'environment' && agent.use ? ADAPTERS[agent.use].correct(launch, outcome, result.tail) : undefined;
      const step = nextStep(outcome, {
        attempt,
        retries: this.deps.retries,
        corrected,
        canCorrect: correction !== undefined,
        aborted: req.signal.aborted,
        exitIsAnswer: req.exitIsAnswer === true && result.exitCode !== null && !result.agent,
      });
      switch (step.kind) {
        case 'done':
          return { agent, outcome, tail: result.tail, exitCode: result.exitCode, attempts: attempt };
        case 'retry':
          // A retry on the failed attempt's leftovers would not be the same task: no clean tree, no retry.
          try {
            await this.deps.resetTree(req.cwd);
          } catch (e) {
            this.#note(req.nodeId, `${outcome.failure?.reason}: not tried again, the worktree could not be reset (${(e as Error).message.split('\n')[0]})`);
            return { agent, outcome, tail: result.tail, exitCode: result.exitCode, attempts: attempt };
          }
          this.#note(req.nodeId, `${outcome.failure?.reason}: trying again (${attempt + 1} of ${this.deps.retries + 1})`);
          await (this.deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(step.delayMs);
          continue;
        case 'correct':
          this.#note(req.nodeId, `${outcome.failure?.reason}: restarting with a corrected command line`);
          launch = correction as Launch;
          corrected = true;
          continue;
        default:
          return unreachable(step);
      }
    }
  }

  /** Before orchestra runs git in the agent's tree again: its `.git` is the one orchestra made, or is put back and the attempt refused. */
  #gitLinkChanged(cwd: string, before: string | undefined): string | undefined {
    if (before === undefined || readGitLink(cwd) === before) return undefined;
    restoreGitLink(cwd, before);
    return "replaced its worktree's .git, which would have pointed orchestra's own git elsewhere (put back; nothing of this attempt is used)";
  }

  /** The prompt goes to a file first: a template may name it, and the record keeps what each agent was told. */
  #writePrompt(req: AgentRequest): string {
    const file = this.deps.runDir.promptFile(req.nodeId);
    writeFileSync(file, req.prompt);
    return file;
  }

  /** One start of the agent; `intruded`: why it must fail though it may have exited 0 (it tried to write your repository). */
  async #attemptOnce(
    agent: Agent,
    req: AgentRequest,
    launch: Launch,
    attempt: number,
    promptFile: string,
    mcp: McpForAttempt | undefined,
  ): Promise<{ result: CommandJobResult; intruded?: string }> {
    const { bus, runId } = this.deps;
    bus.emit({ type: 'node-started', ts: Date.now(), nodeId: req.nodeId, attempt });
    const env = { ...agentEnv(agent, { runId, phase: req.phase, task: req.label, role: req.ref, attempt, promptFile }), ...mcp?.env, ...launch.env };
    let boxed: Sandboxed | undefined;
    try {
      boxed = this.deps.sandbox?.wrap({
        argv: launch.argv,
        workdir: req.cwd,
        env,
        ...(agent.use ? { adapter: agent.use } : {}),
        readable: [promptFile, ...(mcp?.readable ?? [])],
        ...(mcp ? { writable: [mcp.channelDir] } : {}),
        scratch: this.deps.runDir.sandboxScratch(`${req.nodeId}#${attempt}`),
      });
    } catch (e) {
      // The agent does not start unconfined because its sandbox could not be made.
      const spawnError = `its sandbox could not be set up (${(e as Error).message.split('\n')[0]})`;
      return { result: { exitCode: null, signal: null, timedOut: false, idle: false, interrupted: false, spawnError, durationMs: 0, tail: '' } };
    }
    const logFile = this.deps.runDir.logFile(req.nodeId);
    const logStart = boxed ? sizeOf(logFile) : 0;
    let result: CommandJobResult;
    try {
      result = await this.deps.pool.runCommand(
        {
          command: { argv: boxed?.argv ?? launch.argv },
          ...(boxed ? { wrapped: true } : {}),
          cwd: req.cwd,
          env,
          timeoutMs: this.#timeoutMs(agent, req),
          idleTimeoutMs: this.#idleTimeoutMs(agent),
          graceMs: this.deps.graceMs,
          logFile,
          tailBytes: TAIL_BYTES,
          ...(launch.stdin !== undefined ? { stdinFile: promptFile } : {}),
        },
        {
          onLine: (line) => bus.emit({ type: 'node-output', ts: Date.now(), nodeId: req.nodeId, line }),
          ...(agent.use ? { parseAs: agent.use } : {}),
          onAgentEvent: (event) => {
            bus.emit({ type: 'agent-event', ts: Date.now(), nodeId: req.nodeId, agent: agent.id, event });
            // A CLI's own refusal of an edit is what the scope asked for; it is noted where the run's report and `logs` show it.
            if (event.kind === 'warning' && event.message.startsWith(DENIED)) this.#note(req.nodeId, event.message);
          },
        },
        req.signal,
      );
    } finally {
      for (const made of boxed?.dispose() ?? [])
        this.#note(req.nodeId, `removed ${made}: the agent made it among its CLI's own settings, which later agents and your own sessions would obey`);
    }
    if (!boxed) return { result };
    const found = sandboxRefusals(logFile, logStart, req.cwd, this.deps.repoRoot);
    for (const n of found.notes) this.#note(req.nodeId, n);
    return found.intruded ? { result, intruded: found.intruded } : { result };
  }

  /** One attempt's limit: the agent's own, the task's, `run --timeout`, else 30 minutes. */
  #timeoutMs(agent: Agent, req: AgentRequest): number {
    return agent.timeoutMs ?? req.timeoutMs ?? this.deps.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  #idleTimeoutMs(agent: Agent): number {
    return agent.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  }

  #recordAttempt(agent: Agent, req: AgentRequest, outcome: AgentOutcome, selfCheck: boolean): void {
    this.deps.bus.emit({
      type: 'agent-finished',
      ts: Date.now(),
      nodeId: req.nodeId,
      agent: agent.id,
      ok: outcome.ok,
      usage: outcome.usage,
      ...(outcome.failure ? { failure: outcome.failure } : {}),
      ...(selfCheck ? { selfCheck: true as const } : {}),
    });
    this.deps.budget.charge(req.phase, outcome.usage.costUsd);
  }

  #note(nodeId: string, message: string): void {
    this.deps.bus.emit({ type: 'note', ts: Date.now(), nodeId, message });
  }
}
