import { describe, expect, it } from 'vitest';
import { BAND_HEAD, edgePath, fitView, layout, NODE_H, NODE_W, revealIn, zoomView } from '../../dashboard/dag.js';
import { applyEvent, emptyRun } from '../../dashboard/model.js';

const phase = (p: string, after?: string) => [
  { id: `task:${p}/a`, kind: 'task', name: 'a', phase: p, needs: after ? [after] : [] },
  { id: `task:${p}/b`, kind: 'task', name: 'b', phase: p, needs: after ? [after] : [] },
  { id: `gate:${p}/lint`, kind: 'gate', name: 'lint', phase: p, needs: [`task:${p}/a`, `task:${p}/b`] },
  { id: `checkpoint:${p}`, kind: 'checkpoint', name: p, phase: p, needs: [`gate:${p}/lint`] },
];
const two = [...phase('one'), ...phase('two', 'checkpoint:one')];

describe('dashboard layout in bands', () => {
  it('puts each phase in a band under the one before, columns counted within the band', () => {
    const { at, bands, width, height } = layout(two);
    expect(bands.map((b) => [b.key, b.ids.length, b.collapsed])).toEqual([
      ['one', 4, false],
      ['two', 4, false],
    ]);
    // The second phase starts at the left again, below the first: the graph grows down, not to the right.
    expect(at.get('task:two/a')!.x).toBe(0);
    expect(at.get('task:two/a')!.y).toBeGreaterThan(at.get('task:one/b')!.y + NODE_H);
    expect(at.get('checkpoint:two')!.x).toBe(at.get('checkpoint:one')!.x);
    expect(width).toBe(at.get('checkpoint:one')!.x + NODE_W);
    expect(height).toBe(at.get('task:two/b')!.y + NODE_H);
    expect(at.get('task:one/a')!.y).toBe(BAND_HEAD);
  });

  it('folds a band to its header: its nodes and their edges are not drawn, the bands below move up', () => {
    const open = layout(two);
    const folded = layout(two, new Set(['one']));
    expect(folded.at.has('task:one/a')).toBe(false);
    expect(folded.bands[0]).toMatchObject({ key: 'one', collapsed: true, height: BAND_HEAD });
    expect(folded.at.get('task:two/a')!.y).toBeLessThan(open.at.get('task:two/a')!.y);
    expect(folded.edges.some((e) => e.from === 'checkpoint:one' || e.to === 'task:one/a')).toBe(false);
  });

  it('draws an edge between bands from the bottom of one box to the top of the other', () => {
    const { at } = layout(two);
    const p = edgePath(at.get('checkpoint:one')!, at.get('task:two/a')!);
    expect(p.startsWith(`M${at.get('checkpoint:one')!.x + NODE_W / 2},${at.get('checkpoint:one')!.y + NODE_H}`)).toBe(true);
  });
});

describe('dashboard view', () => {
  it('fits the whole graph into the pane with its proportions, never drawn larger than life', () => {
    const big = fitView(2000, 400, 1000, 500);
    expect(big.w / big.h).toBeCloseTo(2);
    expect(big.w).toBeGreaterThanOrEqual(2000);
    const small = fitView(200, 100, 1000, 500);
    expect(small).toEqual({ x: -8, y: -8, w: 1000, h: 500 });
  });

  it('zooms around a point, within bounds', () => {
    const v = { x: 0, y: 0, w: 1000, h: 500 };
    expect(zoomView(v, 2, 0, 0)).toEqual({ x: 0, y: 0, w: 500, h: 250 });
    expect(zoomView(v, 2, 1, 1)).toEqual({ x: 500, y: 250, w: 500, h: 250 });
    expect(zoomView(v, 1000).w).toBe(125);
  });

  it('moves the view the least that brings a node into sight, and not at all when it is', () => {
    const v = { x: 0, y: 0, w: 400, h: 200 };
    expect(revealIn(v, { x: 10, y: 10 })).toEqual(v);
    expect(revealIn(v, { x: 500, y: 10 })).toEqual({ ...v, x: 500 + NODE_W + 8 - 400 });
    expect(revealIn(v, { x: 10, y: -100 })).toEqual({ ...v, y: -108 });
    // Too small to hold it: centred on it.
    expect(revealIn({ x: 0, y: 0, w: 100, h: 30 }, { x: 300, y: 300 })).toEqual({ x: 300 + NODE_W / 2 - 50, y: 300 + NODE_H / 2 - 15, w: 100, h: 30 });
  });
});

describe('dashboard model: alerts', () => {
  it('keeps every alert, marks its node (a fix round counts toward its fix node) until the node finishes', () => {
    const run = emptyRun();
    applyEvent(run, { type: 'run-started', ts: 1, runId: 'r', command: 'run', root: '/', nodes: phase('one') });
    applyEvent(run, { type: 'alert', ts: 2, kind: 'silent', message: 'quiet', node: 'task:one/a' });
    applyEvent(run, { type: 'alert', ts: 3, kind: 'stalled', message: 'nothing runs', node: null });
    applyEvent(run, { type: 'alert', ts: 4, kind: 'loop', message: 'again', node: 'task:one/b#merge1' });
    expect(run.alerts.map((a) => [a.kind, a.node])).toEqual([
      ['silent', 'task:one/a'],
      ['stalled', null],
      ['loop', 'task:one/b#merge1'],
    ]);
    expect(run.nodes.get('task:one/a')!.alert).toBe('silent: quiet');
    expect(run.nodes.get('task:one/b')!.alert).toBe('loop: again');
    // A silent agent that speaks again is no longer marked; a loop stays marked until its node ends.
    applyEvent(run, { type: 'agent-event', ts: 5, nodeId: 'task:one/a', agent: 'c', event: { kind: 'message', text: 'back' } });
    applyEvent(run, { type: 'agent-event', ts: 5, nodeId: 'task:one/b#merge1', agent: 'c', event: { kind: 'message', text: 'back' } });
    expect(run.nodes.get('task:one/a')!.alert).toBe('');
    expect(run.nodes.get('task:one/b')!.alert).toBe('loop: again');
    applyEvent(run, { type: 'alert', ts: 6, kind: 'silent', message: 'quiet again', node: 'task:one/a' });
    applyEvent(run, { type: 'node-finished', ts: 7, nodeId: 'task:one/a', status: 'passed', durationMs: 4, exitCode: 0, signal: null, attempts: 1 });
    expect(run.nodes.get('task:one/a')!.alert).toBe('');
  });
});
