import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/**
 * When a running process started (field 22 of /proc/<pid>/stat), from its stat alone: what the record of
 * process groups needs of each command it starts (`view` also reads the command line). Undefined where there
 * is no /proc, or when the process is gone or a zombie.
 */
export function startOf(pid: number): string | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return stat && stat.state !== 'Z' && stat.state !== 'X' ? stat.procStart : undefined;
  } catch {
    return undefined; // no entry: no such process (or one /proc hides from us), or no /proc at all
  }
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

/** The process group (field 5) of a /proc/<pid>/stat line, with its state and start time. */
export function parseProcGroup(text: string): { state: string; procStart: string; pgrp: number } | undefined {
  const stat = parseProcStat(text);
  const pgrp = Number(
    text
      .slice(text.lastIndexOf(')') + 1)
      .trim()
      .split(/\s+/)[5 - 3],
  );
  return stat && Number.isSafeInteger(pgrp) ? { ...stat, pgrp } : undefined;
}

/** The live processes of a process group, with their start times (none where there is no /proc). */
export function groupMembers(pgid: number): { pid: number; procStart: string }[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const members: { pid: number; procStart: string }[] = [];
  for (const pid of pids) {
    try {
      const stat = parseProcGroup(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push({ pid: Number(pid), procStart: stat.procStart });
    } catch {
      // ended while the list was read
    }
  }
  return members;
}
