import path from 'node:path';
import { unreachable } from '../util/unreachable.js';

/**
 * Whether the run lock's holder is to be believed: a pure decision from the
 * lock file's text and what the system says of the pid it names. An agent
 * running without a sandbox can write `.orchestra/run.lock`, and `abort`
 * signals the pid it finds there, so a pid is believed only when the process
 * behind it is the one that wrote the lock: alive, started at the time the
 * lock records (a pid can be reused), and running orchestra.
 */
export interface LockInfo {
  readonly pid: number;
  readonly runId: string;
  readonly startedAt: string;
  /** Random, per acquisition: release removes the lock only if it is still this one. */
  readonly token?: string;
  /** Linux: when the holder started, in clock ticks after boot (field 22 of /proc/<pid>/stat). */
  readonly procStart?: string;
  /** Linux: the boot the start time counts from (/proc/sys/kernel/random/boot_id). */
  readonly bootId?: string;
  /** The holder's command line, as /proc/<pid>/cmdline had it. */
  readonly argv?: readonly string[];
}

/** What the system says of one pid. */
export type ProcView =
  /** No /proc here (macOS): only whether the pid is alive can be asked. */
  | { readonly kind: 'no-proc' }
  /** No such process, or a zombie. */
  | { readonly kind: 'gone' }
  | { readonly kind: 'running'; readonly procStart: string; readonly argv: readonly string[] };

export interface ProcessProbe {
  view(pid: number): ProcView;
  /** Whether a signal could reach the pid: all that is asked where there is no /proc. */
  alive(pid: number): boolean;
  readonly bootId: string | undefined;
  /** This process's own command line (from /proc where there is one, so that it is in the same form as a holder's). */
  readonly ownArgv: readonly string[];
}

export type StaleWhy = 'malformed' | 'bad-pid' | 'gone' | 'no-identity' | 'rebooted' | 'pid-reused' | 'other-command' | 'not-orchestra';

export type LockVerdict = { readonly kind: 'held'; readonly info: LockInfo } | { readonly kind: 'stale'; readonly why: StaleWhy; readonly pid?: number };

export function judgeLock(text: string, probe: ProcessProbe): LockVerdict {
  const parsed = parseLock(text);
  if (parsed.kind !== 'ok') return parsed.kind === 'bad-pid' ? { kind: 'stale', why: 'bad-pid', pid: parsed.pid } : { kind: 'stale', why: 'malformed' };
  const info = parsed.info;
  const stale = (why: StaleWhy): LockVerdict => ({ kind: 'stale', why, pid: info.pid });
  const view = probe.view(info.pid);
  switch (view.kind) {
    case 'no-proc':
      return probe.alive(info.pid) ? { kind: 'held', info } : stale('gone');
    case 'gone':
      return stale('gone');
    case 'running':
      // Where /proc can say who the pid is, a lock that does not say it is not believed: else a forger need only leave it out.
      if (info.procStart === undefined) return stale('no-identity');
      if (info.bootId !== undefined && probe.bootId !== undefined && info.bootId !== probe.bootId) return stale('rebooted');
      if (view.procStart !== info.procStart) return stale('pid-reused');
      // Same pid and start time but another command: the process exec'd something else.
      if (info.argv !== undefined && !sameArgv(info.argv, view.argv)) return stale('other-command');
      if (!looksLikeOrchestra(view.argv, probe.ownArgv)) return stale('not-orchestra');
      return { kind: 'held', info };
    default:
      return unreachable(view);
  }
}

/** Why a lock is not believed, as the end of a sentence about its pid. */
export function describeStale(why: StaleWhy): string {
  switch (why) {
    case 'malformed':
      return 'is not a lock orchestra wrote';
    case 'bad-pid':
      return 'names no single process (a pid must be a whole number above 1)';
    case 'gone':
      return 'names a process that has ended';
    case 'no-identity':
      return 'does not record when its process started, so its pid cannot be checked';
    case 'rebooted':
      return 'was written before the machine restarted';
    case 'pid-reused':
      return 'names a process that started at another time than the one that wrote it';
    case 'other-command':
      return 'names a process that now runs another command than the one that wrote it';
    case 'not-orchestra':
      return 'names a process that is not orchestra';
    default:
      return unreachable(why);
  }
}

type Parsed = { kind: 'ok'; info: LockInfo } | { kind: 'malformed' } | { kind: 'bad-pid'; pid?: number };

function parseLock(text: string): Parsed {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'malformed' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { kind: 'malformed' };
  const { pid, runId, startedAt, token, procStart, bootId, argv } = v as Record<string, unknown>;
  // A pid of 0, 1 or below would signal far more than one run.
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 1) return { kind: 'bad-pid', pid: typeof pid === 'number' ? pid : undefined };
  if (typeof runId !== 'string' || typeof startedAt !== 'string') return { kind: 'malformed' };
  const optional = (x: unknown): x is string | undefined => x === undefined || typeof x === 'string';
  if (!optional(token) || !optional(procStart) || !optional(bootId)) return { kind: 'malformed' };
  if (argv !== undefined && !(Array.isArray(argv) && argv.every((a) => typeof a === 'string'))) return { kind: 'malformed' };
  return { kind: 'ok', info: { pid, runId, startedAt, token, procStart, bootId, argv: argv as string[] | undefined } };
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Node's own options that take their value as the next argument: skipped when looking for the script. */
const NODE_VALUE_FLAGS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--title']);
const ORCHESTRA_SCRIPT = /^orchestra(\.[cm]?js)?$/;

/**
 * Whether a command line runs orchestra: its program or the script node runs
 * is `orchestra` / `orchestra.js` (bin/orchestra.js, an npm bin link), or is
 * the very script this process runs (a renamed or vendored copy; the test
 * runner that holds the lock in unit tests). Only the program and the script
 * are looked at, not their arguments: `less .orchestra/run.lock` is not orchestra.
 */
export function looksLikeOrchestra(argv: readonly string[], ownArgv: readonly string[]): boolean {
  const script = scriptOf(argv);
  if (script === undefined) return false;
  if ([argv[0] ?? '', script].some((p) => ORCHESTRA_SCRIPT.test(path.basename(p)))) return true;
  const own = scriptOf(ownArgv);
  return own !== undefined && own === script && argv[0] === ownArgv[0];
}

/** The script a node command line runs (its first argument that is not an option), else the program itself. */
function scriptOf(argv: readonly string[]): string | undefined {
  if (argv.length === 0 || argv[0] === '') return undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (NODE_VALUE_FLAGS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return argv[0];
}
