import { describe, expect, it } from 'vitest';
import { EventBus, type NodeStatus, type OrchestraEvent } from '../../src/events/events.js';
import { schedule, walk, type SchedulerNode } from '../../src/exec/scheduler.js';
import { FakeNodes } from '../helpers/fake-nodes.js';

/** A DAG as `{ node: [what it needs] }`, in the order the scheduler is given it. */
type Graph = Record<string, string[]>;

const nodesOf = (graph: Graph): SchedulerNode[] => Object.entries(graph).map(([id, needs]) => ({ id, needs }));

const STOPPED = (name: string) => `stopped after ${name} failed (--keep-going runs the rest)`;
const NEEDS = (name: string) => `needs ${name}, which failed`;

/** `schedule` over fake nodes, with what it reports kept for the test to read. */
function scheduled(graph: Graph, opts: { concurrency?: number; keepGoing?: boolean; label?: (id: string) => string } = {}) {
  const fake = new FakeNodes();
  const controller = new AbortController();
  const skips = new Map<string, string>();
  const crashes: { id: string; error: unknown; durationMs: number }[] = [];
  const done = schedule(nodesOf(graph), fake.run, {
    concurrency: opts.concurrency ?? 8,
    keepGoing: opts.keepGoing ?? false,
    signal: controller.signal,
    onSkip: (id, reason) => {
      if (skips.has(id)) throw new Error(`${id} skipped twice`);
      skips.set(id, reason);
    },
    onCrash: (id, error, durationMs) => crashes.push({ id, error, durationMs }),
    ...(opts.label ? { label: opts.label } : {}),
  });
  return { fake, controller, skips, crashes, done };
}

const statusesOf = (m: Map<string, NodeStatus>): Record<string, NodeStatus> => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

describe('schedule: what starts when', () => {
  it('starts a node only once all it needs has succeeded (passed or cached)', async () => {
    const h = scheduled({ a: [], b: [], c: ['a', 'b'], d: ['c'] });
    expect(h.fake.startedSet).toEqual(['a', 'b']);
    await h.fake.release('a', 'passed');
    expect(h.fake.startedSet).toEqual(['a', 'b']);
    await h.fake.release('b', 'cached');
    expect(h.fake.startedSet).toEqual(['a', 'b', 'c']);
    await h.fake.release('c');
    expect(h.fake.startedSet).toEqual(['a', 'b', 'c', 'd']);
    await h.fake.release('d');
    expect(statusesOf(await h.done)).toEqual({ a: 'passed', b: 'cached', c: 'passed', d: 'passed' });
    expect(h.skips.size).toBe(0);
  });

  it('starts independent nodes together, up to the concurrency and no more', async () => {
    const h = scheduled({ a: [], b: [], c: [], d: [], e: [] }, { concurrency: 2 });
    expect(h.fake.started).toEqual(['a', 'b']);
    expect(h.fake.running).toEqual(['a', 'b']);
    await h.fake.release('b');
    // The freed slot went to the next ready node at once, without waiting for the other one.
    expect(h.fake.started).toEqual(['a', 'b', 'c']);
    expect(h.fake.running).toEqual(['a', 'c']);
    await h.fake.release('c');
    expect(h.fake.running).toEqual(['a', 'd']);
    await h.fake.release('a');
    expect(h.fake.running).toEqual(['d', 'e']);
    await h.fake.release('d');
    expect(h.fake.running).toEqual(['e']);
    await h.fake.release('e');
    expect(statusesOf(await h.done)).toEqual({ a: 'passed', b: 'passed', c: 'passed', d: 'passed', e: 'passed' });
    expect(h.fake.maxRunning).toBe(2);
    expect(h.fake.started).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gives a slot freed by a node to the dependent it made ready, at once', async () => {
    const h = scheduled({ a: [], b: [], c: [], d: ['a'] }, { concurrency: 2 });
    expect(h.fake.running).toEqual(['a', 'b']);
    await h.fake.release('a');
    // c was ready first, so it takes the slot; d queues behind it.
    expect(h.fake.running).toEqual(['b', 'c']);
    await h.fake.release('b');
    expect(h.fake.running).toEqual(['c', 'd']);
    await h.fake.release('c');
    await h.fake.release('d');
    expect(statusesOf(await h.done)).toEqual({ a: 'passed', b: 'passed', c: 'passed', d: 'passed' });
  });

  it('walks a diamond: the join starts once both sides succeeded', async () => {
    const h = scheduled({ top: [], left: ['top'], right: ['top'], join: ['left', 'right'] });
    expect(h.fake.started).toEqual(['top']);
    await h.fake.release('top');
    expect(h.fake.running).toEqual(['left', 'right']);
    await h.fake.release('right');
    expect(h.fake.running).toEqual(['left']);
    await h.fake.release('left');
    expect(h.fake.running).toEqual(['join']);
    await h.fake.release('join');
    expect(statusesOf(await h.done)).toEqual({ join: 'passed', left: 'passed', right: 'passed', top: 'passed' });
    expect(h.fake.started).toEqual(['top', 'left', 'right', 'join']);
  });

  it('skips the join of a diamond when one side fails, even with --keep-going', async () => {
    const h = scheduled({ top: [], left: ['top'], right: ['top'], join: ['left', 'right'] }, { keepGoing: true });
    await h.fake.release('top');
    await h.fake.release('left', { status: 'failed', reason: 'exit-code' });
    expect(h.skips.get('join')).toBe(NEEDS('left'));
    await h.fake.release('right');
    expect(statusesOf(await h.done)).toEqual({ join: 'skipped', left: 'failed', right: 'passed', top: 'passed' });
    expect(h.fake.started).not.toContain('join');
  });

  it('resolves at once for an empty graph', async () => {
    const h = scheduled({});
    expect(await h.done).toEqual(new Map());
    expect(h.fake.started).toEqual([]);
  });
});

describe('schedule: failures', () => {
  // a and b run first (concurrency 2); c is independent; d and e hang off a.
  const graph: Graph = { a: [], b: [], c: [], d: ['a'], e: ['d'] };

  it('fail-fast: after a failure nothing new starts, running nodes finish, the rest are skipped', async () => {
    const h = scheduled(graph, { concurrency: 2 });
    expect(h.fake.running).toEqual(['a', 'b']);
    await h.fake.release('a', { status: 'failed', reason: 'exit-code' });
    // a's slot is free and c is ready, but nothing new starts after a failure.
    expect(h.fake.running).toEqual(['b']);
    expect(h.fake.startedSet).toEqual(['a', 'b']);
    expect(h.skips.get('d')).toBe(NEEDS('a'));
    expect(h.skips.get('e')).toBe(NEEDS('a'));
    expect(h.skips.has('c')).toBe(false);
    // b, already running, is not stopped: it finishes and counts.
    expect(h.fake.signalOf('b').aborted).toBe(false);
    await h.fake.release('b');
    expect(statusesOf(await h.done)).toEqual({ a: 'failed', b: 'passed', c: 'skipped', d: 'skipped', e: 'skipped' });
    expect(h.skips.get('c')).toBe(STOPPED('a'));
    expect(h.fake.startedSet).toEqual(['a', 'b']);
  });

  it('fail-fast names the failed node by its label', async () => {
    const h = scheduled({ a: [], b: [], c: ['a'] }, { concurrency: 1, label: (id) => `gate ${id.toUpperCase()}` });
    await h.fake.release('a', { status: 'failed', reason: 'exit-code' });
    expect(h.fake.running).toEqual([]);
    await h.done;
    expect(Object.fromEntries(h.skips)).toEqual({ c: NEEDS('gate A'), b: STOPPED('gate A') });
  });

  it('keep-going: independent branches go on; only what needs the failure is skipped', async () => {
    const h = scheduled(graph, { concurrency: 2, keepGoing: true });
    await h.fake.release('a', { status: 'failed', reason: 'exit-code' });
    expect(h.fake.running).toEqual(['b', 'c']);
    expect(Object.fromEntries(h.skips)).toEqual({ d: NEEDS('a'), e: NEEDS('a') });
    await h.fake.release('c', { status: 'failed', reason: 'timeout' });
    await h.fake.release('b');
    expect(statusesOf(await h.done)).toEqual({ a: 'failed', b: 'passed', c: 'failed', d: 'skipped', e: 'skipped' });
    expect(h.fake.startedSet).toEqual(['a', 'b', 'c']);
  });

  it('abort: nothing new starts, running nodes are told, the rest are skipped as interrupted', async () => {
    const h = scheduled(graph, { concurrency: 2 });
    expect(h.fake.running).toEqual(['a', 'b']);
    h.controller.abort();
    expect(h.fake.signalOf('a').aborted).toBe(true);
    // a passes after the abort: d, which needs only a, is ready but does not start.
    await h.fake.release('a');
    expect(h.fake.running).toEqual(['b']);
    await h.fake.release('b', { status: 'failed', reason: 'interrupted' });
    expect(statusesOf(await h.done)).toEqual({ a: 'passed', b: 'failed', c: 'skipped', d: 'skipped', e: 'skipped' });
    expect(h.fake.startedSet).toEqual(['a', 'b']);
    expect(Object.fromEntries(h.skips)).toEqual({ c: 'interrupted', d: 'interrupted', e: 'interrupted' });
  });

  it('abort before anything ran: nothing starts, everything is skipped as interrupted', async () => {
    const fake = new FakeNodes();
    const skips = new Map<string, string>();
    const done = schedule(nodesOf(graph), fake.run, {
      concurrency: 2,
      keepGoing: true,
      signal: AbortSignal.abort(),
      onSkip: (id, reason) => skips.set(id, reason),
      onCrash: () => undefined,
    });
    expect(fake.started).toEqual([]);
    const statuses = await done;
    expect([...statuses.values()]).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(new Set(skips.values())).toEqual(new Set(['interrupted']));
  });
});

describe('schedule: a node that throws (a bug in orchestra)', () => {
  it('reports the crash and fails the node with reason internal; its dependents are skipped, not the node', async () => {
    const h = scheduled({ a: [], b: ['a'], c: ['b'], x: [] }, { keepGoing: true });
    expect(h.fake.running).toEqual(['a', 'x']);
    const boom = new Error('boom: cannot read properties of undefined');
    await h.fake.crash('a', boom);
    expect(h.crashes).toHaveLength(1);
    expect(h.crashes[0]?.id).toBe('a');
    expect(h.crashes[0]?.error).toBe(boom);
    expect(h.crashes[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(Object.fromEntries(h.skips)).toEqual({ b: NEEDS('a'), c: NEEDS('a') });
    await h.fake.release('x');
    expect(statusesOf(await h.done)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', x: 'passed' });
    expect(h.skips.has('a')).toBe(false);
  });

  it('stops the run after a crash like after any failure (fail-fast)', async () => {
    const h = scheduled({ a: [], b: [], c: [] }, { concurrency: 2 });
    await h.fake.crash('a', new Error('boom'));
    expect(h.fake.running).toEqual(['b']);
    await h.fake.release('b');
    expect(statusesOf(await h.done)).toEqual({ a: 'failed', b: 'passed', c: 'skipped' });
    expect(h.skips.get('c')).toBe(STOPPED('a'));
  });

  it('treats a runner that throws before returning a promise the same way', async () => {
    const fake = new FakeNodes();
    const crashes: string[] = [];
    const skips = new Map<string, string>();
    const statuses = await schedule(
      nodesOf({ a: [], b: ['a'] }),
      (id, signal) => {
        if (id === 'a') throw new TypeError('thrown at once');
        return fake.run(id, signal);
      },
      {
        concurrency: 2,
        keepGoing: false,
        signal: new AbortController().signal,
        onSkip: (id, reason) => skips.set(id, reason),
        onCrash: (id, error) => crashes.push(`${id}: ${(error as Error).message}`),
      },
    );
    expect(crashes).toEqual(['a: thrown at once']);
    expect(statusesOf(statuses)).toEqual({ a: 'failed', b: 'skipped' });
    expect(skips.get('b')).toBe(NEEDS('a'));
  });
});

describe('walk', () => {
  /** `walk` over fake nodes, with every event on its bus kept. */
  function walked(graph: Graph, opts: { concurrency?: number; keepGoing?: boolean } = {}) {
    const fake = new FakeNodes();
    const controller = new AbortController();
    const events: OrchestraEvent[] = [];
    const bus = new EventBus();
    bus.subscribe((e) => events.push(e));
    const done = walk(nodesOf(graph), fake.run, {
      concurrency: opts.concurrency ?? 8,
      keepGoing: opts.keepGoing ?? false,
      signal: controller.signal,
      bus,
    });
    return { fake, controller, events, done };
  }

  it('turns a crash into a node-finished event: failed, reason internal, the message and the stack', async () => {
    const w = walked({ a: [], b: ['a'] });
    const boom = new Error('boom');
    await w.fake.crash('a', boom);
    const result = await w.done;
    const finished = w.events.filter((e) => e.type === 'node-finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ nodeId: 'a', status: 'failed', reason: 'internal', message: 'boom', exitCode: null, signal: null });
    expect(finished[0]?.type === 'node-finished' && finished[0].stack).toBe(boom.stack);
    expect(boom.stack).toContain('scheduler.test.ts');
    // Serialisable as the record writes it, stack included.
    expect(JSON.parse(JSON.stringify(finished[0]))).toMatchObject({ reason: 'internal', message: 'boom', stack: boom.stack });
    expect(w.events.filter((e) => e.type === 'node-skipped')).toMatchObject([{ nodeId: 'b', reason: NEEDS('a') }]);
    expect(result.counts).toEqual({ passed: 0, failed: 1, cached: 0, skipped: 1 });
    expect(result.ok).toBe(false);
    expect(result.interrupted).toBe(false);
  });

  it('reports something thrown that is not an Error by its text, without a stack', async () => {
    const w = walked({ a: [] });
    await w.fake.crash('a', 'a string, thrown');
    await w.done;
    const [finished] = w.events;
    expect(finished).toMatchObject({ type: 'node-finished', nodeId: 'a', status: 'failed', reason: 'internal', message: 'a string, thrown' });
    expect(finished && 'stack' in finished).toBe(false);
  });

  it('counts each status, and is ok only when everything passed or was cached', async () => {
    const w = walked({ a: [], b: [], c: ['a'] });
    await w.fake.release('a', 'cached');
    await w.fake.release('b');
    await w.fake.release('c');
    const result = await w.done;
    expect(result.counts).toEqual({ passed: 2, failed: 0, cached: 1, skipped: 0 });
    expect(result.ok).toBe(true);
    expect(statusesOf(result.statuses)).toEqual({ a: 'cached', b: 'passed', c: 'passed' });
    expect(w.events).toEqual([]);
  });

  it('counts a failure and its skips, and emits a node-skipped event for each skip', async () => {
    const w = walked({ a: [], b: [], c: ['a'], d: [] }, { concurrency: 2 });
    await w.fake.release('a', { status: 'failed', reason: 'exit-code' });
    expect(w.fake.running).toEqual(['b']);
    await w.fake.release('b', 'cached');
    expect(w.fake.running).toEqual([]);
    const result = await w.done;
    expect(result.counts).toEqual({ passed: 0, failed: 1, cached: 1, skipped: 2 });
    expect(result.ok).toBe(false);
    expect(w.events.map((e) => (e.type === 'node-skipped' ? `${e.nodeId}: ${e.reason}` : e.type))).toEqual([`c: ${NEEDS('a')}`, `d: ${STOPPED('a')}`]);
  });

  it('is not ok when interrupted, even if every node that ran passed', async () => {
    const w = walked({ a: [], b: ['a'] });
    w.controller.abort();
    await w.fake.release('a');
    expect(w.fake.running).toEqual([]);
    const result = await w.done;
    expect(result.interrupted).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.counts).toEqual({ passed: 1, failed: 0, cached: 0, skipped: 1 });
  });

  it('is ok for an empty graph', async () => {
    const result = await walked({}).done;
    expect(result).toMatchObject({ ok: true, interrupted: false, counts: { passed: 0, failed: 0, cached: 0, skipped: 0 } });
  });
});
