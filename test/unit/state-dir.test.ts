import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newRunId, pruneRuns, runIds } from '../../src/exec/state-dir.js';

describe('runIds', () => {
  it('orders runs by time: own ids by their stamp, a --run-id name by when its folder was made', () => {
    const state = mkdtempSync(path.join(tmpdir(), 'state-'));
    const before = newRunId(new Date(Date.now() - 3_600_000));
    const after = newRunId(new Date(Date.now() + 3_600_000));
    for (const id of [after, 'ci-7-two', before, '.hidden']) mkdirSync(path.join(state, 'runs', id), { recursive: true });
    expect(runIds(state)).toEqual([before, 'ci-7-two', after]);
    pruneRuns(state, 1);
    expect(runIds(state)).toEqual([after]);
  });
});
