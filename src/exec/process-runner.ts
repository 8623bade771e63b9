import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { Command } from '../config/types.js';

/**
 * Runs one command in its own process group, streams its output to a log
 * file, and keeps only a bounded tail in memory. Stopping (a timeout, an
 * interrupt) sends SIGTERM to the whole group, then SIGKILL after a grace
 * period; whatever the group left behind is killed when the command exits.
 */
export interface CommandSpec {
  readonly command: Command;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly graceMs: number;
  readonly logFile: string;
  /** Bytes of output kept for the failure report. */
  readonly tailBytes: number;
}

export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly interrupted: boolean;
  readonly spawnError?: string;
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

const LINE_EVERY_MS = 100;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export function userShell(): string | true {
  return process.platform === 'win32' ? true : process.env['SHELL'] || '/bin/sh';
}

export function startCommand(spec: CommandSpec, hooks: CommandHooks): RunningCommand {
  const started = Date.now();
  const log = createWriteStream(spec.logFile, { flags: 'w' });
  const env = { ...process.env, ...spec.env };
  // A shell string goes through the user's shell; an argv never does.
  const child =
    'shell' in spec.command
      ? spawn(spec.command.shell, { cwd: spec.cwd, env, shell: userShell(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(spec.command.argv[0] as string, spec.command.argv.slice(1), { cwd: spec.cwd, env, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

  let tail = Buffer.alloc(0);
  let partial = '';
  let lastLineAt = 0;
  let pendingLine: string | undefined;
  let lineTimer: NodeJS.Timeout | undefined;
  const flushLine = (): void => {
    lineTimer = undefined;
    if (pendingLine !== undefined) hooks.onLine(pendingLine);
    pendingLine = undefined;
    lastLineAt = Date.now();
  };
  const onData = (chunk: Buffer): void => {
    tail = tail.length + chunk.length <= spec.tailBytes ? Buffer.concat([tail, chunk]) : Buffer.concat([tail, chunk]).subarray(-spec.tailBytes);
    const text = partial + chunk.toString('utf8');
    const lines = text.split(/\r?\n|\r/);
    partial = (lines.pop() ?? '').slice(-500);
    const last = lines.filter((l) => l.trim() !== '').at(-1);
    if (last === undefined) return;
    pendingLine = last.slice(0, 300);
    if (Date.now() - lastLineAt >= LINE_EVERY_MS) flushLine();
    else lineTimer ??= setTimeout(flushLine, LINE_EVERY_MS);
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', onData);
    // pipe() pauses the process's output while the log file catches up, so memory stays bounded.
    stream.pipe(log, { end: false });
  }

  let timedOut = false;
  let interrupted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (now = false): void => {
    if (child.pid === undefined) return;
    killGroup(child.pid, now ? 'SIGKILL' : 'SIGTERM');
    if (!now && !killTimer) {
      const pid = child.pid;
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), spec.graceMs);
    }
  };
  const timeout =
    spec.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stop();
        }, spec.timeoutMs);

  const done = new Promise<CommandResult>((resolve) => {
    let spawnError: string | undefined;
    if (child.pid !== undefined) hooks.onSpawn(child.pid);
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('exit', () => {
      // Grandchildren that outlive the command would hold its pipes open and leak; end them.
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    });
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      clearTimeout(lineTimer);
      if (pendingLine !== undefined) flushLine();
      if (spawnError) log.write(`orchestra: could not start the command: ${spawnError}\n`);
      log.end(() =>
        resolve({
          exitCode: code,
          signal,
          timedOut,
          interrupted,
          ...(spawnError !== undefined ? { spawnError } : {}),
          durationMs: Date.now() - started,
          tail: tail.toString('utf8'),
        }),
      );
    });
  });
  return {
    done,
    stop(now) {
      interrupted = !timedOut;
      stop(now);
    },
  };
}
