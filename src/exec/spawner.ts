import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { unreachable } from '../util/unreachable.js';

/**
 * The client of `libexec/spawner.py`, a small long-lived process that starts
 * commands on orchestra's behalf (the forkserver idea). Node forks its whole,
 * large process for every spawn and waits on the main thread until the child
 * has exec'd: 300 no-op gates spent 1.9 s of a 3.4 s check in
 * `ChildProcess.spawn`. Python's subprocess uses vfork from a 10 MB process, and
 * off orchestra's thread.
 *
 * The spawner only starts and reaps: the command is still in its own process
 * group (setsid), orchestra still times it, stops it by group and reads its
 * log file. Until the spawner has said it is ready, and wherever it cannot run
 * (no python3, Windows, a worker thread, `ORCHESTRA_SPAWNER=off`), commands are
 * spawned by Node as before, so nothing waits for it.
 */
export interface SpawnRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The log file, created (or truncated) by the spawner: stdout and stderr go to it. */
  readonly out: string;
  /** A file to be the command's stdin; none: /dev/null. */
  readonly in?: string;
}

export interface SpawnCallbacks {
  spawned(pid: number): void;
  /** Could not start: Node's words for it (`spawn <program> ENOENT`). */
  failed(message: string): void;
  exited(code: number | null, signal: string | null): void;
  /** The spawner ended while the command ran: how the command ended is not known. */
  lost(message: string): void;
  /** The spawner could not create the log file, and started nothing (only through the spawner). */
  logRefused?(): void;
  /** Nothing started, for a reason that is orchestra's (its log file cannot be created): what `launch` would have thrown. */
  crashed(error: unknown): void;
}

/** One line from the spawner, parsed; undefined for a line it never writes. */
export type SpawnerLine =
  | { readonly kind: 'ready' }
  | { readonly kind: 'spawned'; readonly id: number; readonly pid: number }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string }
  | { readonly kind: 'log-refused'; readonly id: number }
  | { readonly kind: 'exited'; readonly id: number; readonly code: number | null; readonly signal: string | null };

export function parseSpawnerLine(line: string): SpawnerLine | undefined {
  if (line === 'ready') return { kind: 'ready' };
  const refused = /^o (\d+)$/.exec(line);
  if (refused) return { kind: 'log-refused', id: Number(refused[1]) };
  const m = /^([sex]) (\d+) (.*)$/.exec(line);
  if (!m) return undefined;
  const id = Number(m[2]);
  const rest = m[3] as string;
  switch (m[1]) {
    case 's':
      return /^\d+$/.test(rest) ? { kind: 'spawned', id, pid: Number(rest) } : undefined;
    case 'e':
      return { kind: 'failed', id, message: rest };
    default: {
      const x = /^(-|\d+) (-|SIG[A-Z0-9+]+|\d+)$/.exec(rest);
      if (!x) return undefined;
      return { kind: 'exited', id, code: x[1] === '-' ? null : Number(x[1]), signal: x[2] === '-' ? null : (x[2] as string) };
    }
  }
}

/**
 * A job as the spawner reads it: NUL-terminated fields (id, folder, log, stdin or empty, argc, the arguments,
 * the number of environment entries, the entries), UTF-8 as Node encodes a string (a lone surrogate is U+FFFD,
 * as Node passes it to exec). Undefined when a field holds a NUL, which no field can carry (and Node's own
 * spawn refuses): such a command is spawned by Node, for Node's words.
 */
export function encodeJob(id: number, request: SpawnRequest): string | undefined {
  const env: string[] = [];
  for (const key in request.env) {
    const value = request.env[key];
    if (value !== undefined) env.push(`${key}=${value}`);
  }
  const fields = [String(id), request.cwd, request.out, request.in ?? '', String(request.argv.length), ...request.argv, String(env.length), ...env];
  for (const f of fields) if (f.includes('\0')) return undefined;
  return `${fields.join('\0')}\0`;
}

const SCRIPT = fileURLToPath(new URL('../../libexec/spawner.py', import.meta.url));

/**
 * A system python before PATH's: a version manager's shim (pyenv) can take half a second to start one. On
 * macOS `/usr/bin/python3` (and so often PATH's) is a stub that may offer to install the developer tools: only
 * Homebrew's is used there.
 */
function pythonCandidates(platform: NodeJS.Platform): { paths: string[]; orPath: boolean } {
  return platform === 'darwin'
    ? { paths: ['/opt/homebrew/bin/python3', '/usr/local/bin/python3'], orPath: false }
    : { paths: ['/usr/bin/python3', '/usr/local/bin/python3'], orPath: true };
}

class ForkServer {
  readonly #child: ChildProcess;
  #ready = false;
  #gone = false;
  #whenReady: ((ready: boolean) => void)[] = [];
  #nextId = 1;
  readonly #jobs = new Map<number, SpawnCallbacks>();

  constructor(python: string) {
    this.#child = spawn(python, ['-S', '-I', '-B', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    // None of its handles may keep orchestra alive: a command in flight holds its own timer.
    this.#child.unref();
    const { stdin, stdout } = this.#child;
    if (!stdin || !stdout) throw new Error('the spawner was started without pipes');
    (stdin as unknown as { unref(): void }).unref();
    (stdout as unknown as { unref(): void }).unref();
    stdin.on('error', () => this.#end('its input pipe broke'));
    this.#child.on('error', () => this.#end('it could not start'));
    this.#child.on('exit', (code, signal) => this.#end(`it ended (${signal ?? `exit ${code}`})`));
    createInterface({ input: stdout }).on('line', (line) => this.#line(line));
    // Gone when orchestra is: after a kill -9 it reads the end of its input, but an exit is told at once, so
    // that nothing orchestra started is alive once it has ended (its commands are in sessions of their own).
    process.once('exit', () => this.#child.kill('SIGKILL'));
  }

  /** Hands the command to the spawner; false when it is not (or no longer) there to take it, or cannot (a NUL in it). */
  launch(request: SpawnRequest, callbacks: SpawnCallbacks): boolean {
    if (!this.#ready || this.#gone) return false;
    const id = this.#nextId;
    const job = encodeJob(id, request);
    if (job === undefined) return false;
    this.#nextId++;
    this.#jobs.set(id, callbacks);
    this.#child.stdin?.write(job);
    return true;
  }

  #line(line: string): void {
    const m = parseSpawnerLine(line);
    if (m === undefined) return;
    if (m.kind === 'ready') {
      this.#ready = true;
      for (const f of this.#whenReady.splice(0)) f(true);
      return;
    }
    const job = this.#jobs.get(m.id);
    if (!job) return;
    switch (m.kind) {
      case 'spawned':
        job.spawned(m.pid);
        return;
      case 'failed':
        this.#jobs.delete(m.id);
        job.failed(m.message);
        return;
      case 'log-refused':
        this.#jobs.delete(m.id);
        job.logRefused?.();
        return;
      case 'exited':
        this.#jobs.delete(m.id);
        job.exited(m.code, m.signal);
        return;
      default:
        unreachable(m);
    }
  }

  /**
   * Resolves true once commands go through the spawner, false if they never will, or (with `withinMs`) not
   * yet after that long: then nothing of the wait is left to keep orchestra alive.
   */
  ready(withinMs?: number): Promise<boolean> {
    if (this.#ready || this.#gone) return Promise.resolve(this.#ready && !this.#gone);
    return new Promise((resolve) => {
      // The spawner's handles are unref'd: without a timer of its own, Node would end the process mid-wait.
      const hold = setInterval(() => undefined, 60_000);
      let settled = false;
      const settle = (ready: boolean): void => {
        if (settled) return;
        settled = true;
        clearInterval(hold);
        clearTimeout(late);
        resolve(ready);
      };
      const late = withinMs === undefined ? undefined : setTimeout(() => settle(false), withinMs);
      this.#whenReady.push(settle);
    });
  }

  #end(why: string): void {
    if (this.#gone) return;
    this.#gone = true;
    for (const f of this.#whenReady.splice(0)) f(false);
    const jobs = [...this.#jobs.values()];
    this.#jobs.clear();
    for (const job of jobs) job.lost(`orchestra's process spawner ended while the command ran: ${why}`);
  }
}

let server: ForkServer | undefined;
let tried = false;

function findPython(): string | undefined {
  const named = process.env['ORCHESTRA_SPAWNER'];
  if (process.platform === 'win32' || !isMainThread) return undefined;
  if (named) return named;
  const { paths, orPath } = pythonCandidates(process.platform);
  return paths.find((p) => existsSync(p)) ?? (orPath ? 'python3' : undefined);
}

/**
 * The spawner, started on the first call that may start it (`start`: otherwise only one already running). Undefined where it cannot run; a
 * spawner that cannot start (no python3 on PATH) just never becomes ready.
 */
export function forkServer(start = true): Pick<ForkServer, 'launch' | 'ready'> | undefined {
  // Read each time, so that one process (a test) can start commands both ways.
  if (process.env['ORCHESTRA_SPAWNER'] === 'off') return undefined;
  if (tried || !start) return server;
  tried = true;
  const python = findPython();
  if (python !== undefined && existsSync(SCRIPT)) server = new ForkServer(python);
  return server;
}
