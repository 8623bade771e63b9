import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../config/types.js';
import { forkServer, type SpawnCallbacks } from './spawner.js';

/** What `launch` needs of a command: the part of a `CommandSpec` that says how to start it. */
export interface LaunchSpec {
  readonly command: Command;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
  readonly stdinFile?: string;
}

export function userShell(): string | true {
  return process.platform === 'win32' ? true : process.env['SHELL'] || '/bin/sh';
}

/** Commands started so far by this thread. */
let launched = 0;

/** From this many commands to run, a run starts the spawner at once and its commands wait for it. */
export const MANY_COMMANDS = 8;
/** The longest that commands wait, all together, for the spawner to be ready rather than be forked from orchestra. */
export const SPAWNER_WAIT_MS = 2000;
let waitFor: { until: number } | undefined;

/**
 * Told by a run how many commands it is about to start. From MANY_COMMANDS on,
 * the spawner is started now, and `spawnerStarted` makes every command wait for
 * it: a fork of orchestra costs about 6 ms of its CPU per command (the page
 * tables of a large process, then a fault per page it writes), and six to
 * sixteen of 300 gates were forked while Python started (about 50 ms). Fewer
 * commands start as before: the first by Node, the second starts the spawner,
 * and none waits for it (a run of one command starts no Python).
 */
export function expectCommands(count: number): void {
  if (count < MANY_COMMANDS || forkServer(true) === undefined) return;
  waitFor ??= { until: Date.now() + SPAWNER_WAIT_MS };
}

/** What a command awaits before `launch` (nothing: undefined): the spawner, once a run said many commands come, until it is ready or gone, and SPAWNER_WAIT_MS at most in all. */
export function spawnerStarted(): Promise<boolean> | undefined {
  const left = waitFor === undefined ? 0 : waitFor.until - Date.now();
  return left > 0 ? forkServer(false)?.ready(left) : undefined;
}

/**
 * Starts a command in a session (and so a process group) of its own, its
 * stdout and stderr going to its log file: through the spawner when it is up,
 * by Node's spawn otherwise. Either way the same callbacks, the same argv (a
 * shell string is `<shell> -c <string>`, as Node runs it) and the same words for
 * a command that could not start.
 */
export function launch(spec: LaunchSpec, callbacks: SpawnCallbacks): void {
  const env = { ...process.env, ...spec.env };
  const shell = userShell();
  // Started with the second command: a run of one command (a hook with one gate to run) would only pay its start.
  const server = forkServer(++launched > 1);
  if (server !== undefined && typeof shell === 'string') {
    // Opened here, so that a stdin that cannot be opened throws in orchestra exactly as below, before anything starts.
    if (spec.stdinFile !== undefined) closeSync(openSync(spec.stdinFile, 'r'));
    const argv = 'shell' in spec.command ? [shell, '-c', spec.command.shell] : spec.command.argv;
    // Absolute: the spawner's own folder is `/`, and these are orchestra's paths.
    const request = {
      argv,
      cwd: path.resolve(spec.cwd),
      env,
      out: path.resolve(spec.logFile),
      ...(spec.stdinFile !== undefined ? { in: path.resolve(spec.stdinFile) } : {}),
    };
    // The spawner creates the log (a new file is a tenth of the main thread's time per gate on some file
    // systems). One it cannot create is created here instead: Node's own error (a throw, as below, for the
    // caller: `crashed`), or, if it can be after all, the command is spawned here.
    const refused = (): void => {
      try {
        closeSync(openLog(spec.logFile));
      } catch (e) {
        callbacks.crashed(e);
        return;
      }
      launchHere(spec, env, shell, callbacks);
    };
    if (server.launch(request, { ...callbacks, logRefused: refused })) return;
  }
  launchHere(spec, env, shell, callbacks);
}

/**
 * A command's log, created or emptied as `openSync(file, 'w')` does, but never blocking: a FIFO put where the log
 * goes would hold orchestra's thread until something read it. Anything but a regular file is an error, thrown as
 * openSync's are.
 */
function openLog(file: string): number {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NONBLOCK, 0o666);
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new Error(`${file}: the log is not a regular file`);
  }
  return fd;
}

function launchHere(spec: LaunchSpec, env: NodeJS.ProcessEnv, shell: string | true, callbacks: SpawnCallbacks): void {
  // The process writes straight into its log file: no output passes through
  // orchestra, so memory stays bounded whatever it prints, and stdout and
  // stderr interleave as they would on a terminal.
  const out = openLog(spec.logFile);
  const input = spec.stdinFile !== undefined ? openSync(spec.stdinFile, 'r') : 'ignore';
  const options = { cwd: spec.cwd, env, detached: true, stdio: [input, out, out] as ['ignore' | number, number, number] };
  let child: ChildProcess;
  try {
    // A shell string goes through the user's shell; an argv never does.
    child =
      'shell' in spec.command
        ? spawn(spec.command.shell, { ...options, shell })
        : spawn(spec.command.argv[0] as string, spec.command.argv.slice(1), { ...options, shell: false });
  } catch (e) {
    // Some failures Node throws rather than reports (a cwd that is a file, an argument list too long for
    // exec, a NUL byte): the command's, not orchestra's, and told as the spawner tells them. Later, as a report is.
    const message = (e as Error).message;
    setImmediate(() => callbacks.failed(message));
    return;
  } finally {
    closeSync(out);
    if (typeof input === 'number') closeSync(input);
  }
  if (child.pid !== undefined) callbacks.spawned(child.pid);
  child.on('error', (e) => callbacks.failed(e.message));
  child.on('exit', (code, signal) => callbacks.exited(code, signal));
}
