import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MergeQueue } from '../../src/run/merge-queue.js';

describe('MergeQueue', () => {
  it('gives turns in list order, whatever order the tasks ask in', async () => {
    const q = new MergeQueue(3);
    const signal = new AbortController().signal;
    const order: number[] = [];
    const t2 = q.turn(2, signal).then(() => order.push(2));
    const t1 = q.turn(1, signal).then(() => order.push(1));
    await q.turn(0, signal);
    order.push(0);
    expect(order).toEqual([0]);
    q.done(0, { id: 'a', prompt: 'A' });
    await t1;
    expect(order).toEqual([0, 1]);
    q.done(1); // gave up its turn: merged nothing
    await t2;
    expect(order).toEqual([0, 1, 2]);
    expect(q.merged.map((m) => m.id)).toEqual(['a']);
  });

  it('lets a waiting task go on abort', async () => {
    const q = new MergeQueue(2);
    const ctl = new AbortController();
    const waiting = q.turn(1, ctl.signal);
    ctl.abort();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('leaves no abort listener behind once a turn has come', async () => {
    const q = new MergeQueue(50);
    const signal = new AbortController().signal;
    const turns = Array.from({ length: 50 }, (_, i) => q.turn(i, signal));
    for (let i = 0; i < 50; i++) q.done(i);
    await Promise.all(turns);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
