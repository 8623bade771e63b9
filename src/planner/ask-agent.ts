import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADAPTERS } from '../agents/adapters/index.js';
import { launchFor } from '../agents/launch.js';
import type { Agent, Team } from '../config/types.js';
import { startCommand } from '../exec/process-runner.js';
import type { AgentSandbox, Sandboxed } from '../sandbox/sandbox.js';
import { ANSWER_LIMIT } from './answer.js';
import type { Asked } from './loop.js';
import { readTail } from '../exec/process-runner.js';

export const PLANNER_ROLE = 'planner';
/** A planner's limit when its team entry sets none. */
export const PLANNER_TIMEOUT_MS = 10 * 60_000;
/** Read back from the end of a planner's log: its result line is last. */
const LOG_TAIL = 8 * 1024 * 1024;

/** The agent with the `planner` role, else the team's first agent. */
export function pickPlanner(team: Team | undefined): Agent | undefined {
  return team?.agents.find((a) => a.roles.includes(PLANNER_ROLE)) ?? team?.agents[0];
}

export interface AskOptions {
  readonly root: string;
  /** Where the prompts and logs of the planner's rounds go (.orchestra/reports/…). */
  readonly dir: string;
  readonly graceMs: number;
  /** The run's sandbox: the planner then sees the filesystem read-only, its only writable folder an empty scratch one. */
  readonly sandbox?: AgentSandbox;
}

/**
 * Asks the planner agent once: its CLI started in its own process group with
 * its timeout and silence watchdog, the closing text read from its log through
 * its adapter. A planner only reads. Under the sandbox it starts in an empty
 * scratch folder, the only one it may write, with the repository (read-only)
 * named in its prompt and, for Claude Code, added with --add-dir; without
 * one, in the repository. Claude Code is started without its edits accepted,
 * and a planner that changed the repository's files anyway is a failed round,
 * said with the files.
 */
export function agentAsker(agent: Agent, opts: AskOptions): (prompt: string, round: number) => Promise<Asked> {
  // No edits accepted unless the team entry chose a mode: in print mode a tool that needs permission is refused.
  const claude = agent.use === 'claude-code';
  const planner: Agent = {
    ...agent,
    ...(claude && agent.permissionMode === undefined ? { permissionMode: 'default' } : {}),
    ...(claude && opts.sandbox ? { args: [...agent.args, '--add-dir', opts.root] } : {}),
  };
  return async (prompt, round) => {
    const promptFile = path.join(opts.dir, `round-${round}.prompt.md`);
    const logFile = path.join(opts.dir, `round-${round}.log`);
    writeFileSync(promptFile, prompt);
    const cwd = opts.sandbox ? path.join(opts.dir, `work-${round}`) : opts.root;
    mkdirSync(cwd, { recursive: true });
    const launch = launchFor(planner, { prompt, promptFile, workdir: cwd });
    const env = { ...planner.env, ORCHESTRA_ROLE: PLANNER_ROLE, ORCHESTRA_PROMPT_FILE: promptFile };
    let boxed: Sandboxed | undefined;
    try {
      boxed = opts.sandbox?.wrap({
        argv: launch.argv,
        workdir: cwd,
        env,
        ...(planner.use ? { adapter: planner.use } : {}),
        // The repository too: under /tmp it would be hidden by the sandbox's private /tmp.
        readable: [promptFile, opts.root],
        scratch: path.join(opts.dir, `sandbox-${round}`),
      });
    } catch (e) {
      return { ok: false, reason: `its sandbox could not be set up (${(e as Error).message.split('\n')[0] ?? ''})` };
    }
    const timeoutMs = planner.timeoutMs ?? PLANNER_TIMEOUT_MS;
    // Without a sandbox to make the repository read-only, what the planner changed is looked for afterwards.
    const before = boxed ? undefined : statusOf(opts.root);
    // Listening before the spawn: the planner is visible (exec'd) before spawn() returns, and a Ctrl-C in
    // between would otherwise meet no listener and kill orchestra outright (seen: exit code null).
    let interrupt = false;
    let stopNow = (): void => {
      interrupt = true;
    };
    const onSigint = (): void => stopNow();
    process.once('SIGINT', onSigint);
    let running: ReturnType<typeof startCommand>;
    try {
      running = startCommand(
        {
          command: { argv: boxed?.argv ?? launch.argv },
          ...(boxed ? { wrapped: true } : {}),
          cwd,
          env,
          timeoutMs,
          ...(planner.idleTimeoutMs !== undefined ? { idleTimeoutMs: planner.idleTimeoutMs } : {}),
          graceMs: opts.graceMs,
          logFile,
          tailBytes: 4096,
          ...(launch.stdin !== undefined ? { stdinFile: promptFile } : {}),
        },
        { onSpawn: () => undefined, onLine: () => undefined },
      );
    } catch (e) {
      process.off('SIGINT', onSigint);
      throw e;
    }
    stopNow = () => running.stop(true);
    if (interrupt) stopNow();
    const result = await running.done.finally(() => {
      process.off('SIGINT', onSigint);
      boxed?.dispose();
    });
    const changed = before ? changedFiles(before, statusOf(opts.root)) : [];
    if (changed.length) return { ok: false, reason: `the planner changed the repository (${changed.slice(0, 5).join(', ')}): a planner only reads` };
    if (result.spawnError !== undefined) return { ok: false, reason: `it could not start: ${result.spawnError}` };
    if (result.timedOut)
      return { ok: false, reason: `stopped at its timeout of ${Math.round(timeoutMs / 1000)}s (set 'timeout' on agent '${agent.id}' in the team)` };
    if (result.idle) return { ok: false, reason: `stopped after ${Math.round((planner.idleTimeoutMs ?? 0) / 1000)}s without output (its idleTimeout)` };
    if (result.interrupted) return { ok: false, reason: 'interrupted', interrupted: true };
    const log = readEnd(logFile, LOG_TAIL);
    if (!planner.use) {
      if (result.exitCode !== 0)
        return { ok: false, reason: `it exited ${String(result.exitCode ?? result.signal)}: ${result.tail.trim().split('\n').pop() ?? ''}` };
      return { ok: true, text: log.slice(0, ANSWER_LIMIT + 1) };
    }
    const parser = ADAPTERS[planner.use].parser();
    for (const line of log.split('\n')) parser.line(line);
    const outcome = parser.finish(result.exitCode, log.slice(-4096));
    if (!outcome.ok) return { ok: false, reason: outcome.failure?.reason ?? 'it failed' };
    return { ok: true, text: outcome.final ?? '' };
  };
}

/** The last `bytes` of a file, from a line start. */
function readEnd(file: string, bytes: number): string {
  const { tail, size } = readTail(file, bytes);
  return size > bytes ? tail.slice(tail.indexOf('\n') + 1) : tail;
}

function statusOf(root: string): string[] {
  try {
    return execFileSync('git', ['status', '--porcelain', '-z', '--untracked-files=all'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .split('\0')
      .filter(Boolean);
  } catch {
    return [];
  }
}

function changedFiles(before: readonly string[], after: readonly string[]): string[] {
  const was = new Set(before);
  return after.filter((l) => !was.has(l)).map((l) => l.slice(3));
}
