import { closeSync, constants, fstatSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { writeFileAtomic } from '../util/write-atomic.js';

/**
 * The run's record of the process groups it started (`groups.jsonl` in its
 * folder), so that after a `kill -9` of orchestra, `resume` can find and end
 * what it left running. Append-only: a line when a group starts, a line when
 * it ends; once the file passes COMPACT_AT bytes it is rewritten (atomically)
 * with only the groups still running, so its size stays bounded whatever the
 * number of commands a run starts.
 */
export interface GroupEntry {
  /** The group's first process; orchestra starts every group with its leader, so the group id is this pid. */
  readonly pid: number;
  readonly pgid: number;
  /** When the leader started, in clock ticks after boot (field 22 of /proc/<pid>/stat): a reused pid has another. */
  readonly procStart: string;
  /** The boot the start time counts from. */
  readonly bootId?: string;
}

export const COMPACT_AT = 64 * 1024;
/** The most of the file ever read back: the writer never makes it this large, so more is not orchestra's. */
export const READ_LIMIT = 1024 * 1024;

type Line = { readonly kind: 'start'; readonly entry: GroupEntry } | { readonly kind: 'end'; readonly pid: number; readonly procStart: string };

const key = (pid: number, procStart: string): string => `${pid}@${procStart}`;

function lineOf(line: Line): string {
  return `${JSON.stringify(line.kind === 'start' ? { start: line.entry } : { end: { pid: line.pid, procStart: line.procStart } })}\n`;
}

const goodPid = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 1;
const goodStart = (x: unknown): x is string => typeof x === 'string' && /^\d{1,20}$/.test(x);

/**
 * One line of the file, or undefined when it is not one orchestra writes. The
 * file is under `.orchestra/`, which an unconfined agent can write: every
 * field is checked, and a group whose id is not its leader's pid is refused
 * (signalling it could reach processes orchestra never started).
 */
export function parseGroupLine(text: string): Line | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const { start, end } = v as Record<string, unknown>;
  if (typeof start === 'object' && start !== null && end === undefined) {
    const { pid, pgid, procStart, bootId } = start as Record<string, unknown>;
    if (!goodPid(pid) || pgid !== pid || !goodStart(procStart)) return undefined;
    if (bootId !== undefined && !(typeof bootId === 'string' && /^[\w-]{1,64}$/.test(bootId))) return undefined;
    return { kind: 'start', entry: { pid, pgid: pid, procStart, ...(bootId !== undefined ? { bootId } : {}) } };
  }
  if (typeof end === 'object' && end !== null && start === undefined) {
    const { pid, procStart } = end as Record<string, unknown>;
    return goodPid(pid) && goodStart(procStart) ? { kind: 'end', pid, procStart } : undefined;
  }
  return undefined;
}

/** The groups the record says were started and not ended, in the order they started; lines that do not parse are skipped. */
export function liveGroups(text: string): GroupEntry[] {
  const live = new Map<string, GroupEntry>();
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const line = parseGroupLine(raw);
    if (line === undefined) continue;
    if (line.kind === 'start') live.set(key(line.entry.pid, line.entry.procStart), line.entry);
    else live.delete(key(line.pid, line.procStart));
  }
  return [...live.values()];
}

/** The record's text, at most READ_LIMIT bytes of it; '' when there is none or it is not a regular file (a FIFO would block, a link could point anywhere). */
export function readGroupRecord(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return '';
  }
  try {
    if (!fstatSync(fd).isFile()) return '';
    const buf = Buffer.alloc(READ_LIMIT);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0 || length + n >= buf.length) {
        length += n;
        break;
      }
      length += n;
    }
    return buf.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Writes the record as the given groups alone (after `resume` stopped the rest); no file when there are none. */
export function rewriteGroupRecord(file: string, groups: readonly GroupEntry[]): void {
  if (groups.length === 0) rmSync(file, { force: true });
  else writeFileAtomic(file, groups.map((entry) => lineOf({ kind: 'start', entry })).join(''));
}

/**
 * The writer a run keeps while it works: one line per start and end, compacted past COMPACT_AT bytes. The
 * file stays open between lines (a run writes two per command: an open and a close each was most of their
 * cost); a compaction replaces it, and the next line opens the new one.
 */
export class GroupRecorder {
  readonly #file: string;
  readonly #live = new Map<string, GroupEntry>();
  #bytes = 0;
  #fd: number | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  started(entry: GroupEntry): void {
    this.#live.set(key(entry.pid, entry.procStart), entry);
    this.#append({ kind: 'start', entry });
  }

  ended(pid: number, procStart: string): void {
    if (!this.#live.delete(key(pid, procStart))) return;
    this.#append({ kind: 'end', pid, procStart });
  }

  /** Closes the file; a later line opens it again. */
  close(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // already closed: nothing held
    }
  }

  #append(line: Line): void {
    try {
      if (this.#bytes >= COMPACT_AT) {
        const text = [...this.#live.values()].map((entry) => lineOf({ kind: 'start', entry })).join('');
        this.close();
        writeFileAtomic(this.#file, text);
        this.#bytes = text.length;
        return; // the rewrite already says it: a new group is in it, an ended one is not
      }
      const text = lineOf(line);
      this.#fd ??= openSync(this.#file, 'a');
      writeSync(this.#fd, text);
      this.#bytes += text.length;
    } catch {
      // The record is a help for `resume`, never a reason for a run to fail: a full disk loses only this.
    }
  }
}

/** What the worker pool tells a run of the groups it starts and sees end, by the leader's pid. */
export interface GroupLog {
  started(pid: number): void;
  ended(pid: number): void;
  /** The run's commands are over: the record's file is closed (a line after this opens it again). */
  close(): void;
}

/** What `recordGroups` asks of the system: when a running leader started (undefined: gone, or no /proc), and the boot. */
export interface StartProbe {
  startOf(pid: number): string | undefined;
  readonly bootId: string | undefined;
}

/**
 * The pool's log for one run: the leader's start time is read as the group
 * starts. A leader that is already gone, or a system without /proc, is not
 * recorded: without its start time `resume` could not tell it from a reused pid.
 */
export function recordGroups(file: string, probe: StartProbe): GroupLog {
  const recorder = new GroupRecorder(file);
  const starts = new Map<number, string>();
  return {
    started(pid) {
      const procStart = probe.startOf(pid);
      if (procStart === undefined) return;
      starts.set(pid, procStart);
      recorder.started({ pid, pgid: pid, procStart, ...(probe.bootId !== undefined ? { bootId: probe.bootId } : {}) });
    },
    ended(pid) {
      const procStart = starts.get(pid);
      if (procStart === undefined) return;
      starts.delete(pid);
      recorder.ended(pid, procStart);
    },
    close() {
      recorder.close();
    },
  };
}
