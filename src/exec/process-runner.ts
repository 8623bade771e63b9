import { constants as osConstants } from 'node:os';
import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Command } from '../config/types.js';
import { launch } from './launch.js';

export { spawnerStarted } from './launch.js';

/**
 * Runs one command in its own process group with its output going straight
 * to a log file; only a bounded tail is ever read back. Stopping (a timeout, an
 * interrupt) sends SIGTERM to the whole group, then SIGKILL after a grace
 * period; whatever the group left behind is killed when the command exits.
 */
export interface CommandSpec {
  readonly command: Command;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Stopped after this long without a byte of output (a silence watchdog). */
  readonly idleTimeoutMs?: number;
  readonly graceMs: number;
  readonly logFile: string;
  /** Bytes of output kept for the failure report. */
  readonly tailBytes: number;
  /** A file whose content is the process's stdin (an agent's prompt); none: stdin is closed. */
  readonly stdinFile?: string;
  /** The command is a wrapper (bubblewrap) that reports its command's death by signal n as exit 128+n: the result says the signal. */
  readonly wrapped?: boolean;
}

export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** Stopped by the silence watchdog. */
  readonly idle: boolean;
  readonly interrupted: boolean;
  readonly spawnError?: string;
  /** The process spawner ended while the command ran (exec/spawner.ts): why, since how the command ended is not known. */
  readonly lost?: string;
  readonly durationMs: number;
  readonly tail: string;
}

export interface CommandHooks {
  onSpawn(pid: number): void;
  onLine(line: string): void;
}

export interface RunningCommand {
  readonly done: Promise<CommandResult>;
  /** Ends the process group: SIGTERM, then SIGKILL after the grace period (at once when `now`). */
  stop(now?: boolean): void;
}

/** How often a running command's log is looked at for its latest line (for the live view). */
const LINE_EVERY_MS = 200;

/** A wrapper's exit 128+n is its command killed by signal n (as a shell reports it). */
export function unwrapExit(exitCode: number | null, signal: string | null): { exitCode: number | null; signal: string | null } {
  if (signal !== null || exitCode === null || exitCode <= 128) return { exitCode, signal };
  const name = Object.entries(osConstants.signals).find(([, n]) => n === exitCode - 128)?.[0];
  return name ? { exitCode: null, signal: name } : { exitCode, signal };
}

/** bubblewrap's own words when its command could not be started, as the whole of the log: `spawn <program> ENOENT`. */
function wrappedExecFailure(logFile: string): string | undefined {
  const { tail, size } = readTail(logFile, 4096);
  const m = size < 4096 ? /^bwrap: execvp (.+): No such file or directory\s*$/.exec(tail) : null;
  return m ? `spawn ${m[1]} ENOENT` : undefined;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** The last non-empty line and the last `bytes` of a log file. */
/** The last `bytes` of a file and its size; empty when it cannot be read. */
export function readTail(file: string, bytes: number): { tail: string; size: number } {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(bytes, size);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return { tail: buf.toString('utf8'), size };
  } catch {
    return { tail: '', size: 0 };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function lastLine(text: string): string | undefined {
  return text
    .split(/\r?\n|\r/)
    .filter((l) => l.trim() !== '')
    .at(-1)
    ?.slice(0, 300);
}

export function startCommand(spec: CommandSpec, hooks: CommandHooks): RunningCommand {
  const started = Date.now();
  // Known once the command has started: at once when Node spawns it, a moment later through the spawner.
  let pid: number | undefined;
  let stopAsked: boolean | undefined;
  // Set below, before any of launch's callbacks but `spawned` can run: a start or an end is always reported on a later tick.
  let finish: (exitCode: number | null, signal: string | null, spawnError?: string, lost?: string) => void = () => {
    throw new Error('a command was reported ended before its start returned');
  };
  let crash: (error: unknown) => void = () => finish(null, null);
  launch(spec, {
    spawned(p) {
      pid = p;
      hooks.onSpawn(p);
      // Asked to stop before the spawner said which process it is.
      if (stopAsked !== undefined) stop(stopAsked);
    },
    failed: (message) => finish(null, null, message),
    exited: (code, signal) => {
      const result = spec.wrapped ? unwrapExit(code, signal) : { exitCode: code, signal };
      // Wrapped, a missing program is bubblewrap's exit 1 with its words as the only output: the same
      // spawn error as unwrapped, for every wrapped command (a gate, an agent, a setup step).
      const missing = spec.wrapped && code === 1 ? wrappedExecFailure(spec.logFile) : undefined;
      if (missing !== undefined) finish(null, null, missing);
      else finish(result.exitCode, result.signal);
    },
    lost: (message) => finish(null, null, undefined, message),
    crashed: (error) => crash(error),
  });

  // The live view gets the latest line now and then; short commands are never polled.
  let seen = 0;
  let lastOutput = Date.now();
  let idle = false;
  const poll = setInterval(() => {
    const { tail, size } = readTail(spec.logFile, 4096);
    if (size === seen) {
      if (spec.idleTimeoutMs !== undefined && !idle && Date.now() - lastOutput > spec.idleTimeoutMs) {
        idle = true;
        stop();
      }
      return;
    }
    seen = size;
    lastOutput = Date.now();
    const line = lastLine(tail);
    if (line !== undefined) hooks.onLine(line);
  }, LINE_EVERY_MS);

  let timedOut = false;
  let interrupted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (now = false): void => {
    if (pid === undefined) {
      stopAsked = (stopAsked ?? false) || now;
      return;
    }
    const group = pid;
    killGroup(group, now ? 'SIGKILL' : 'SIGTERM');
    if (!now && !killTimer) killTimer = setTimeout(() => killGroup(group, 'SIGKILL'), spec.graceMs);
  };
  const timeout =
    spec.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stop();
        }, spec.timeoutMs);

  const done = new Promise<CommandResult>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      clearInterval(poll);
      return true;
    };
    // Nothing started (the log could not be created): the error launch would have thrown, for the caller.
    crash = (error) => {
      if (settle()) reject(error);
    };
    finish = (exitCode, signal, spawnError, lost) => {
      if (!settle()) return;
      // Grandchildren that outlive the command would leak; end the whole group.
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
      if (spawnError !== undefined) appendFileSync(spec.logFile, `orchestra: could not start the command: ${spawnError}\n`);
      if (lost !== undefined) appendFileSync(spec.logFile, `orchestra: lost the command, its end is not known: ${lost}\n`);
      const { tail } = readTail(spec.logFile, spec.tailBytes);
      const last = lastLine(tail);
      if (last !== undefined && spawnError === undefined) hooks.onLine(last);
      resolve({
        exitCode,
        signal,
        timedOut,
        idle,
        interrupted,
        ...(spawnError !== undefined ? { spawnError } : {}),
        ...(lost !== undefined ? { lost } : {}),
        durationMs: Date.now() - started,
        tail,
      });
    };
  });
  return {
    done,
    stop(now) {
      interrupted = !timedOut && !idle;
      stop(now);
    },
  };
}
