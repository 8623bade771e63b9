import { describe, expect, it } from 'vitest';
import { encodeJob, parseSpawnerLine } from '../../src/exec/spawner.js';

describe('parseSpawnerLine', () => {
  it('reads each line the spawner writes', () => {
    expect(parseSpawnerLine('ready')).toEqual({ kind: 'ready' });
    expect(parseSpawnerLine('s 7 12345')).toEqual({ kind: 'spawned', id: 7, pid: 12345 });
    expect(parseSpawnerLine('e 3 spawn no-such ENOENT')).toEqual({ kind: 'failed', id: 3, message: 'spawn no-such ENOENT' });
    expect(parseSpawnerLine('x 9 0 -')).toEqual({ kind: 'exited', id: 9, code: 0, signal: null });
    expect(parseSpawnerLine('x 9 - SIGKILL')).toEqual({ kind: 'exited', id: 9, code: null, signal: 'SIGKILL' });
    expect(parseSpawnerLine('o 12')).toEqual({ kind: 'log-refused', id: 12 });
  });

  it('anything else is not a line of the spawner', () => {
    for (const line of ['', 'readyy', 's 1', 's x 2', 's 1 2x', 'x 1 0', 'x 1 a -', 'q 1 2', 'x 1 - sigterm', 'o', 'o 1 2', 'o x']) {
      expect(parseSpawnerLine(line)).toBeUndefined();
    }
  });
});

describe('encodeJob', () => {
  const request = { argv: ['sh', '', 'a\nb'], cwd: '/w', env: { A: 'x=y', B: '', GONE: undefined }, out: '/w/log' };

  it('writes the fields NUL-terminated, with counts, so that an empty one is still a field', () => {
    expect(encodeJob(4, request)).toBe(['4', '/w', '/w/log', '', '3', 'sh', '', 'a\nb', '2', 'A=x=y', 'B=', ''].join('\0'));
    expect(
      encodeJob(5, { ...request, in: '/w/prompt' })
        ?.split('\0')
        .slice(0, 4),
    ).toEqual(['5', '/w', '/w/log', '/w/prompt']);
  });

  it('refuses a job with a NUL anywhere (no field could carry it): Node spawns it, and says why not', () => {
    expect(encodeJob(1, { ...request, argv: ['sh', 'a\0b'] })).toBeUndefined();
    expect(encodeJob(1, { ...request, env: { A: 'x\0' } })).toBeUndefined();
    expect(encodeJob(1, { ...request, env: { 'A\0': 'x' } })).toBeUndefined();
    expect(encodeJob(1, { ...request, cwd: '/w\0' })).toBeUndefined();
  });
});
