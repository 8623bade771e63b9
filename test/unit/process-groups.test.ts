import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeLeftovers } from '../../src/workspace/leftover-verdict.js';
import type { ProcView } from '../../src/workspace/lock-verdict.js';
import {
  COMPACT_AT,
  GroupRecorder,
  liveGroups,
  parseGroupLine,
  READ_LIMIT,
  readGroupRecord,
  recordGroups,
  rewriteGroupRecord,
  type GroupEntry,
} from '../../src/workspace/process-groups.js';
import { stopLeftovers, type GroupKiller } from '../../src/run/resume.js';
import { groupMembers, parseProcGroup, startOf, systemProbe } from '../../src/workspace/process-probe.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function scratch(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'orchestra-groups-'));
  dirs.push(d);
  return d;
}

const entry = (pid: number, procStart = '100', bootId?: string): GroupEntry => ({ pid, pgid: pid, procStart, ...(bootId ? { bootId } : {}) });
const start = (e: object) => JSON.stringify({ start: e });

/** A system where each listed pid runs with that start time; every other pid is gone. */
function probeOf(running: Record<number, string>, bootId = 'boot-a') {
  return {
    bootId,
    view: (pid: number): ProcView => (running[pid] !== undefined ? { kind: 'running', procStart: running[pid], argv: ['node'] } : { kind: 'gone' }),
    startOf: (pid: number): string | undefined => running[pid],
  };
}

describe('the process-group record', () => {
  it('replays starts and ends: only groups started and not ended are live', () => {
    const text = [start(entry(10)), start(entry(11)), JSON.stringify({ end: { pid: 10, procStart: '100' } }), start(entry(12, '7', 'boot-a'))].join('\n');
    expect(liveGroups(text)).toEqual([entry(11), entry(12, '7', 'boot-a')]);
  });

  it('an end of another process with the same pid (another start time) ends nothing', () => {
    expect(liveGroups([start(entry(10)), JSON.stringify({ end: { pid: 10, procStart: '999' } })].join('\n'))).toEqual([entry(10)]);
  });

  it.each([
    ['not JSON', 'garbage'],
    ['a line cut by a kill -9', start(entry(10)).slice(0, 20)],
    ['an array', '[1,2]'],
    ['pid 1 (would signal every process)', start({ pid: 1, pgid: 1, procStart: '1' })],
    ['pid 0', start({ pid: 0, pgid: 0, procStart: '1' })],
    ['a negative pid', start({ pid: -5, pgid: -5, procStart: '1' })],
    ['a pid that is not an integer', start({ pid: 10.5, pgid: 10.5, procStart: '1' })],
    ['a pid as a string', start({ pid: '10', pgid: '10', procStart: '1' })],
    ['a group that is not its leader', start({ pid: 10, pgid: 20, procStart: '1' })],
    ['no start time', start({ pid: 10, pgid: 10 })],
    ['a start time that is not a number', start({ pid: 10, pgid: 10, procStart: '1 2' })],
    ['a start time that is a number, not a string', start({ pid: 10, pgid: 10, procStart: 1 })],
    ['a boot id with odd characters', start({ pid: 10, pgid: 10, procStart: '1', bootId: '../x' })],
    ['both a start and an end', JSON.stringify({ start: entry(10), end: { pid: 10, procStart: '100' } })],
    ['an end with a bad pid', JSON.stringify({ end: { pid: 1, procStart: '100' } })],
  ])('refuses %s', (_why, line) => {
    expect(parseGroupLine(line)).toBeUndefined();
    expect(liveGroups(`${line}\n${start(entry(42))}`)).toEqual([entry(42)]);
  });

  it('the recorder appends a line per start and end, and compacts to the live groups past its limit', () => {
    const file = path.join(scratch(), 'groups.jsonl');
    const rec = new GroupRecorder(file);
    rec.started(entry(5));
    let pid = 100;
    while (statSync(file).size < COMPACT_AT) {
      rec.started(entry(pid));
      rec.ended(pid, '100');
      pid++;
    }
    rec.started(entry(6));
    // Rewritten to what still runs: the file stays small whatever the number of commands.
    expect(statSync(file).size).toBeLessThan(1000);
    expect(liveGroups(readFileSync(file, 'utf8'))).toEqual([entry(5), entry(6)]);
    rec.ended(5, '100');
    rec.ended(5, '100'); // a second end of one group writes nothing
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(liveGroups(readFileSync(file, 'utf8'))).toEqual([entry(6)]);
  });

  it('the recorder keeps its file open between lines, and a line after close opens it again', () => {
    const file = path.join(scratch(), 'groups.jsonl');
    const rec = new GroupRecorder(file);
    rec.started(entry(5));
    rec.close();
    rec.started(entry(6));
    rec.ended(5, '100');
    expect(liveGroups(readFileSync(file, 'utf8'))).toEqual([entry(6)]);
    rec.close();
    rec.close(); // a second close is nothing
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('startOf reads a running process its start time from /proc, and none for a pid that is not running', () => {
    const own = systemProbe().view(process.pid);
    expect(startOf(process.pid)).toBe(own.kind === 'running' ? own.procStart : undefined);
    expect(startOf(2 ** 22 + 1)).toBeUndefined();
  });

  it('recordGroups reads the leader start time as the group starts, and records none for a leader already gone', () => {
    const file = path.join(scratch(), 'groups.jsonl');
    const log = recordGroups(file, probeOf({ 20: '555' }));
    log.started(20);
    log.started(21); // gone before it could be looked at
    expect(liveGroups(readFileSync(file, 'utf8'))).toEqual([entry(20, '555', 'boot-a')]);
    log.ended(21);
    log.ended(20);
    expect(liveGroups(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('reads no record from a missing file, a FIFO, a link or a folder, and at most READ_LIMIT bytes', () => {
    const dir = scratch();
    expect(readGroupRecord(path.join(dir, 'none'))).toBe('');
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(readGroupRecord(fifo)).toBe('');
    const target = path.join(dir, 'target');
    writeFileSync(target, start(entry(10)));
    symlinkSync(target, path.join(dir, 'link'));
    expect(readGroupRecord(path.join(dir, 'link'))).toBe('');
    expect(readGroupRecord(dir)).toBe('');
    const big = path.join(dir, 'big');
    writeFileSync(big, 'x'.repeat(READ_LIMIT * 3));
    expect(readGroupRecord(big)).toHaveLength(READ_LIMIT);
  });

  it('rewriting with no groups removes the file', () => {
    const file = path.join(scratch(), 'groups.jsonl');
    rewriteGroupRecord(file, [entry(10)]);
    expect(liveGroups(readFileSync(file, 'utf8'))).toEqual([entry(10)]);
    rewriteGroupRecord(file, []);
    expect(() => statSync(file)).toThrow();
  });
});

describe('judgeLeftovers', () => {
  it('stops a group only while its leader is the recorded process', () => {
    const verdicts = judgeLeftovers(
      [entry(10, '100', 'boot-a'), entry(11, '100'), entry(12, '100'), entry(13, '100', 'boot-b'), entry(14, '100')],
      probeOf({ 10: '100', 11: '200', 13: '100', 14: '100' }),
    );
    expect(verdicts.stop).toEqual([entry(10, '100', 'boot-a'), entry(14, '100')]);
    expect(verdicts.leave.map((l) => [l.entry.pid, l.why])).toEqual([
      [11, 'pid-reused'],
      [12, 'gone'],
      [13, 'rebooted'],
    ]);
  });

  it('signals a pid recorded twice once', () => {
    expect(judgeLeftovers([entry(10), entry(10)], probeOf({ 10: '100' })).stop).toEqual([entry(10)]);
  });

  it('leaves every group where /proc cannot say who a pid is', () => {
    const verdicts = judgeLeftovers([entry(10)], { bootId: undefined, view: () => ({ kind: 'no-proc' }) });
    expect(verdicts.stop).toEqual([]);
    expect(verdicts.leave).toEqual([{ entry: entry(10), why: 'unverifiable' }]);
  });
});

describe('stopLeftovers', () => {
  type Ends = 'SIGTERM' | 'SIGKILL' | 'never';
  /**
   * A system of processes (by pid: start time, group, the signal that ends it) that end on the signals they
   * heed; `sent` is every signal, in order. A process given as a number alone leads its own group.
   */
  function system(procs: Record<number, { procStart: string; endsOn: Ends; pgrp?: number }>) {
    const running = new Map(Object.entries(procs).map(([pid, p]) => [Number(pid), { ...p, pgrp: p.pgrp ?? Number(pid) }]));
    const sent: string[] = [];
    const hit = (pid: number, signal: 'SIGTERM' | 'SIGKILL') => {
      const endsOn = running.get(pid)?.endsOn;
      if (endsOn === signal || (signal === 'SIGKILL' && endsOn !== 'never')) running.delete(pid);
    };
    const killer: GroupKiller = {
      probe: {
        bootId: 'boot-a',
        view: (pid): ProcView => {
          const p = running.get(pid);
          return p ? { kind: 'running', procStart: p.procStart, argv: ['node'] } : { kind: 'gone' };
        },
      },
      signal(pgid, signal) {
        sent.push(`${signal} -${pgid}`);
        for (const [pid, p] of [...running]) if (p.pgrp === pgid) hit(pid, signal);
      },
      members: (pgid) => [...running].filter(([, p]) => p.pgrp === pgid).map(([pid, p]) => ({ pid, procStart: p.procStart })),
      kill(pid) {
        sent.push(`SIGKILL ${pid}`);
        hit(pid, 'SIGKILL');
      },
      pause: async () => {},
    };
    return { killer, sent, running };
  }

  it('TERMs the recorded groups still running, KILLs those that ignore it, never signals a reused pid, and empties the record', async () => {
    const file = path.join(scratch(), 'groups.jsonl');
    writeFileSync(file, [entry(10), entry(11), entry(12), entry(13)].map((e) => start(e)).join('\n'));
    const { killer, sent } = system({
      10: { procStart: '100', endsOn: 'SIGTERM' },
      11: { procStart: '100', endsOn: 'SIGKILL' },
      12: { procStart: '999', endsOn: 'SIGTERM' },
    });
    const lines = await stopLeftovers({ groups: file }, 1000, killer);
    expect(sent).toEqual(['SIGTERM -10', 'SIGTERM -11', 'SIGKILL -11']);
    expect(lines).toEqual([
      'process group 10 the killed run left running: stopped',
      'process group 11 the killed run left running: killed (it ignored SIGTERM)',
    ]);
    expect(() => statSync(file)).toThrow();
  });

  it('keeps in the record a group it could not stop (not ours to signal), and says so', async () => {
    const file = path.join(scratch(), 'groups.jsonl');
    writeFileSync(file, [entry(10), entry(11)].map((e) => start(e)).join('\n'));
    const { killer } = system({ 10: { procStart: '100', endsOn: 'never' }, 11: { procStart: '100', endsOn: 'SIGTERM' } });
    expect(await stopLeftovers({ groups: file }, 1000, killer)).toEqual([
      'process group 10 the killed run left running: could not be stopped',
      'process group 11 the killed run left running: stopped',
    ]);
    expect(liveGroups(readFileSync(file, 'utf8'))).toEqual([entry(10)]);
  });

  it('kills on its own a member that ignored SIGTERM after its leader ended, unless its pid went to another process', async () => {
    const file = path.join(scratch(), 'groups.jsonl');
    writeFileSync(file, start(entry(10)));
    const { killer, sent, running } = system({
      10: { procStart: '100', endsOn: 'SIGTERM' },
      11: { procStart: '101', endsOn: 'SIGKILL', pgrp: 10 },
      12: { procStart: '102', endsOn: 'SIGKILL', pgrp: 10 },
    });
    const pause = killer.pause;
    // While the grace runs, member 12 ends and its pid goes to an unrelated process.
    killer.pause = async (ms) => {
      running.set(12, { procStart: '999', endsOn: 'SIGKILL', pgrp: 12 });
      await pause(ms);
    };
    expect(await stopLeftovers({ groups: file }, 1000, killer)).toEqual(['process group 10 the killed run left running: stopped']);
    expect(sent).toEqual(['SIGTERM -10', 'SIGKILL 11']);
    expect([...running.keys()]).toEqual([12]);
  });

  it('does nothing without a record', async () => {
    const { killer, sent } = system({});
    expect(await stopLeftovers({ groups: path.join(scratch(), 'none') }, 1000, killer)).toEqual([]);
    expect(sent).toEqual([]);
  });
});

describe('process groups from /proc', () => {
  it('reads the group (field 5) after a command name holding spaces and parentheses', () => {
    const rest = Array.from({ length: 50 }, (_, i) => String(i + 3));
    rest[0] = 'S';
    expect(parseProcGroup(`123 (a) (b c) ${rest.join(' ')}\n`)).toEqual({ state: 'S', procStart: '22', pgrp: 5 });
    expect(parseProcGroup('123 (x) S 1 2')).toBeUndefined();
  });

  it('lists the processes of a group with their start times', () => {
    const own = parseProcGroup(readFileSync('/proc/self/stat', 'utf8'));
    expect(own).toBeDefined();
    expect(groupMembers(own?.pgrp ?? 0)).toContainEqual({ pid: process.pid, procStart: own?.procStart });
    expect(groupMembers(999_999_999)).toEqual([]);
  });
});
