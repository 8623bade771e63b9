import { describe, expect, it } from 'vitest';
import { describeStale, judgeLock, looksLikeOrchestra, type ProcessProbe, type ProcView, type StaleWhy } from '../../src/workspace/lock-verdict.js';
import { parseCmdline, parseProcStat } from '../../src/workspace/process-probe.js';

const ORCHESTRA = ['node', '/home/u/app/node_modules/.bin/orchestra', 'run'];
const BOOT = 'b00t';

/** A machine with /proc where `procs` are the running processes. */
function linux(procs: Record<number, { procStart: string; argv: string[] }>): ProcessProbe {
  return {
    view: (pid): ProcView => (procs[pid] ? { kind: 'running', ...procs[pid] } : { kind: 'gone' }),
    alive: () => {
      throw new Error('no kill -0 where /proc answers');
    },
    bootId: BOOT,
    ownArgv: ['node', '/x/vitest.mjs'],
  };
}

/** A machine without /proc (macOS): only liveness. */
function noProc(alivePids: number[]): ProcessProbe {
  return { view: () => ({ kind: 'no-proc' }), alive: (pid) => alivePids.includes(pid), bootId: undefined, ownArgv: ['node', '/x/vitest.mjs'] };
}

const lock = (over: Record<string, unknown> = {}): string =>
  JSON.stringify({ pid: 4242, runId: 'r1', startedAt: '2026-01-01T00:00:00Z', token: 't', procStart: '777', bootId: BOOT, argv: ORCHESTRA, ...over });
const staleWhy = (text: string, probe: ProcessProbe): StaleWhy | 'held' => {
  const v = judgeLock(text, probe);
  return v.kind === 'held' ? 'held' : v.why;
};

describe('judging the run lock', () => {
  it('believes a live orchestra that started when the lock says', () => {
    const v = judgeLock(lock(), linux({ 4242: { procStart: '777', argv: ORCHESTRA } }));
    expect(v).toEqual({ kind: 'held', info: expect.objectContaining({ pid: 4242, runId: 'r1', token: 't' }) });
  });

  it('does not believe a pid that is not a whole number above 1, without asking the system about it', () => {
    const probe: ProcessProbe = {
      view: () => {
        throw new Error('asked');
      },
      alive: () => {
        throw new Error('asked');
      },
      bootId: undefined,
      ownArgv: [],
    };
    for (const pid of [0, 1, -1, 1.5, 2 ** 60, 'x', null]) expect(staleWhy(lock({ pid }), probe)).toBe('bad-pid');
    expect(staleWhy(lock({ pid: 1 }), noProc([1]))).toBe('bad-pid');
  });

  it('does not believe text that is not a lock', () => {
    const probe = linux({ 4242: { procStart: '777', argv: ORCHESTRA } });
    for (const text of ['', '{', '[]', 'null', '4242', lock({ runId: 3 }), lock({ argv: 'orchestra' }), lock({ procStart: 777 })]) {
      expect(staleWhy(text, probe)).toBe('malformed');
    }
  });

  it('on Linux: not believed when the process ended, its pid was reused, the machine restarted, or the lock hides who it is', () => {
    expect(staleWhy(lock(), linux({}))).toBe('gone');
    expect(staleWhy(lock(), linux({ 4242: { procStart: '778', argv: ORCHESTRA } }))).toBe('pid-reused');
    expect(staleWhy(lock({ bootId: 'other' }), linux({ 4242: { procStart: '777', argv: ORCHESTRA } }))).toBe('rebooted');
    // The forgery that matters: a bare pid, the way the lock used to look.
    expect(staleWhy(JSON.stringify({ pid: 4242, runId: 'x', startedAt: '' }), linux({ 4242: { procStart: '777', argv: ORCHESTRA } }))).toBe('no-identity');
  });

  it('on Linux: not believed when the process is not orchestra, even with its real start time copied into the lock', () => {
    const editor = ['vim', '/repo/.orchestra/run.lock'];
    expect(staleWhy(lock({ argv: editor }), linux({ 4242: { procStart: '777', argv: editor } }))).toBe('not-orchestra');
    expect(staleWhy(lock({ argv: undefined }), linux({ 4242: { procStart: '777', argv: ['bash'] } }))).toBe('not-orchestra');
    expect(staleWhy(lock(), linux({ 4242: { procStart: '777', argv: ['node', '/home/u/app/node_modules/.bin/orchestra', 'check'] } }))).toBe('other-command');
  });

  it('without /proc: believed while alive, as before, but never pid 1', () => {
    expect(staleWhy(JSON.stringify({ pid: 4242, runId: 'x', startedAt: '' }), noProc([4242]))).toBe('held');
    expect(staleWhy(lock(), noProc([]))).toBe('gone');
  });

  it('says why in words for every reason', () => {
    const all: StaleWhy[] = ['malformed', 'bad-pid', 'gone', 'no-identity', 'rebooted', 'pid-reused', 'other-command', 'not-orchestra'];
    expect(new Set(all.map(describeStale)).size).toBe(all.length);
  });
});

describe('what looks like orchestra', () => {
  const own = ['/usr/bin/node', '/x/node_modules/vitest/worker.js'];
  it.each([
    [['node', '/usr/lib/node_modules/orchestra/bin/orchestra.js', 'run'], true],
    [['node', '--enable-source-maps', 'bin/orchestra.js', 'abort'], true],
    [['/usr/local/bin/orchestra', 'run'], true],
    [['node', '-r', 'ts-node/register', '/home/u/.npm/_npx/1/node_modules/.bin/orchestra'], true],
    [['/usr/bin/node', '/x/node_modules/vitest/worker.js'], true],
    [['/usr/bin/python3', '/x/node_modules/vitest/worker.js'], false],
    [['node', '-r', 'orchestra.js', 'server.js'], false],
    [['node', 'server.js', 'orchestra'], false],
    [['less', '/repo/.orchestra/run.lock'], false],
    [['vim', 'orchestra.config.yaml'], false],
    [[], false],
  ])('%j: %s', (argv, expected) => {
    expect(looksLikeOrchestra(argv, own)).toBe(expected);
  });
});

describe('reading /proc', () => {
  it('takes field 22 of stat counting after the last parenthesis of the command name', () => {
    const rest = Array.from({ length: 50 }, (_, i) => String(i + 3));
    rest[0] = 'S';
    expect(parseProcStat(`123 (a) (b c) ${rest.join(' ')}\n`)).toEqual({ state: 'S', procStart: '22' });
    expect(parseProcStat('123 (x) S 1 2')).toBeUndefined();
  });

  it('splits cmdline at NULs', () => {
    expect(parseCmdline('node\0bin/orchestra.js\0run\0')).toEqual(['node', 'bin/orchestra.js', 'run']);
    expect(parseCmdline('')).toEqual([]);
  });
});
