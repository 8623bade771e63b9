import { describe, expect, it } from 'vitest';
import { parseSpawnerLine } from '../../src/exec/spawner.js';

describe('parseSpawnerLine', () => {
  it('reads each line the spawner writes', () => {
    expect(parseSpawnerLine('ready')).toEqual({ kind: 'ready' });
    expect(parseSpawnerLine('s 7 12345')).toEqual({ kind: 'spawned', id: 7, pid: 12345 });
    expect(parseSpawnerLine('e 3 spawn no-such ENOENT')).toEqual({ kind: 'failed', id: 3, message: 'spawn no-such ENOENT' });
    expect(parseSpawnerLine('x 9 0 -')).toEqual({ kind: 'exited', id: 9, code: 0, signal: null });
    expect(parseSpawnerLine('x 9 - SIGKILL')).toEqual({ kind: 'exited', id: 9, code: null, signal: 'SIGKILL' });
  });

  it('anything else is not a line of the spawner', () => {
    for (const line of ['', 'readyy', 's 1', 's x 2', 's 1 2x', 'x 1 0', 'x 1 a -', 'q 1 2', 'x 1 - sigterm']) {
      expect(parseSpawnerLine(line)).toBeUndefined();
    }
  });
});
