import { existsSync, readFileSync } from 'node:fs';
import type { ProcessProbe, ProcView } from './lock-verdict.js';

let probe: ProcessProbe | undefined;

/** What this machine says of its processes: /proc on Linux, `kill -0` elsewhere. Made once: its own facts do not change. */
export function systemProbe(): ProcessProbe {
  probe ??= makeProbe();
  return probe;
}

function makeProbe(): ProcessProbe {
  const hasProc = existsSync('/proc/self/stat');
  const view = (pid: number | 'self'): ProcView => {
    if (!hasProc) return { kind: 'no-proc' };
    try {
      const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (!stat || stat.state === 'Z' || stat.state === 'X') return { kind: 'gone' };
      return { kind: 'running', procStart: stat.procStart, argv: parseCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8')) };
    } catch {
      return { kind: 'gone' }; // no entry: no such process (or one /proc hides from us)
    }
  };
  const own = view('self');
  return {
    view,
    alive,
    bootId: hasProc ? readOr('/proc/sys/kernel/random/boot_id')?.trim() || undefined : undefined,
    ownArgv: own.kind === 'running' ? own.argv : process.argv,
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The state (field 3) and start time (field 22) of a /proc/<pid>/stat line.
 * Field 2 is the command name in parentheses, which may itself hold spaces and
 * parentheses: the fields are counted from after its last ')'.
 */
export function parseProcStat(text: string): { state: string; procStart: string } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = rest[0];
  const procStart = rest[22 - 3];
  return state !== undefined && procStart !== undefined && /^\d+$/.test(procStart) ? { state, procStart } : undefined;
}

/** /proc/<pid>/cmdline: the arguments, each ended by a NUL. */
export function parseCmdline(text: string): string[] {
  const parts = text.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}
