import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/graph/analyze.js';
import { compile } from '../../src/graph/compile.js';
import { selectSubgraph } from '../../src/graph/select.js';
import type { Graph } from '../../src/graph/types.js';
import { SourceText } from '../../src/config/source-text.js';
import { readFileSync } from 'node:fs';
import { configOf } from '../helpers/config.js';

const edgeSet = (g: Graph) => new Set(g.edges.map((e) => `${e.from} -> ${e.to}`));
const task = (id: string, touch?: string[]) =>
  `      - { id: ${id}, agent: implementer, prompt: do ${id}${touch ? `, scope: { touch: [${touch.map((t) => `"${t}"`).join(', ')}] }` : ''} }\n`;

function lineOf(file: string, offset: number): number {
  return new SourceText(file, readFileSync(file, 'utf8')).position(offset).line;
}

describe('cycles', () => {
  it('spells out a gate cycle, one note per edge at its line', async () => {
    const config = await configOf('gates:\n  a:\n    run: x\n    needs: [b]\n  b:\n    run: x\n    needs: [c]\n  c:\n    run: x\n    needs: [a]\n');
    const { graph, diagnostics } = compile(config);
    expect(graph).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect(d.message).toBe('gate cycle: a -> b -> c -> a');
    expect(d.related?.map((r) => [r.message, lineOf(r.loc.file, r.loc.start)])).toEqual([
      ["'a' needs 'b'", 4],
      ["'b' needs 'c'", 7],
      ["'c' needs 'a'", 10],
    ]);
  });

  it('reports each distinct cycle once, and a self-need too', async () => {
    const config = await configOf('gates:\n  a: { run: x, needs: [b] }\n  b: { run: x, needs: [a] }\n  c: { run: x, needs: [c] }\n');
    const messages = compile(config).diagnostics.map((d) => d.message);
    expect(messages).toEqual(['gate cycle: a -> b -> a', 'gate cycle: c -> c']);
  });

  it('finds a phase cycle through the default order and says why that edge exists', async () => {
    const config = await configOf(`phases:\n  - id: one\n    needs: [two]\n    tasks: []\n  - id: two\n    tasks: []\n`);
    const [d] = compile(config).diagnostics;
    expect(d?.message).toBe('phase cycle: one -> two -> one');
    expect(d?.related?.[1]?.message).toContain("'two' has no 'needs', so it runs after 'one'");
  });
});

describe('phase order', () => {
  it('runs a phase with no needs after the one before it, and needs: [] as a root', async () => {
    const config = await configOf(
      `phases:\n  - id: a\n    tasks:\n${task('t1', ['a/**'])}  - id: b\n    tasks:\n${task('t2', ['b/**'])}  - id: c\n    needs: []\n    tasks:\n${task('t3', ['c/**'])}`,
    );
    const { graph } = compile(config);
    const edges = edgeSet(graph!);
    expect(edges.has('checkpoint:a -> task:b/t2')).toBe(true);
    expect([...edges].some((e) => e.endsWith('-> task:c/t3'))).toBe(false);
    const waves = analyze(graph!).waves.map((w) => w.map((n) => n.id));
    expect(waves[0]).toEqual(['task:a/t1', 'task:c/t3']);
  });

  it('puts gates after all tasks, the fix after the gates, and the checkpoint last', async () => {
    const config = await configOf(
      `gates:\n  lint: { run: eslint }\n  unit: { run: npm test, needs: [lint] }\nphases:\n  - id: p\n    tasks:\n${task('t1', ['a/**'])}${task('t2', ['b/**'])}    gates: [unit]\n    fix: { agent: fix-executor, attempts: 2 }\n`,
    );
    const { graph } = compile(config);
    const edges = edgeSet(graph!);
    // `unit` needs `lint`, so the phase runs lint too, after the tasks; unit after lint.
    for (const e of ['task:p/t1 -> gate:p/lint', 'task:p/t2 -> gate:p/lint', 'gate:p/lint -> gate:p/unit', 'gate:p/unit -> fix:p', 'fix:p -> checkpoint:p']) {
      expect(edges.has(e), e).toBe(true);
    }
    // Top-level gates are nodes of their own, for check and hooks.
    expect(edges.has('gate:lint -> gate:unit')).toBe(true);
    expect(graph!.nodes.find((n) => n.id === 'fix:p')).toMatchObject({ kind: 'fix', agent: 'fix-executor', attempts: 2 });
    expect(analyze(graph!).criticalPath.map((n) => n.id)).toEqual(['task:p/t1', 'gate:p/lint', 'gate:p/unit', 'fix:p', 'checkpoint:p']);
  });

  it('runs a gate that two phases name once per phase', async () => {
    const config = await configOf(
      `gates:\n  unit: { run: npm test }\nphases:\n  - id: a\n    tasks: []\n    gates: [unit]\n  - id: b\n    tasks: []\n    gates: [unit]\n`,
    );
    const ids = compile(config)
      .graph!.nodes.filter((n) => n.kind === 'gate')
      .map((n) => n.id);
    expect(ids).toEqual(['gate:unit', 'gate:a/unit', 'gate:b/unit']);
  });

  it('warns about a fix with no gates to fix', async () => {
    const config = await configOf(`phases:\n  - id: a\n    tasks: []\n    fix: { agent: fix-executor }\n`);
    const { graph, diagnostics } = compile(config);
    expect(graph).toBeDefined();
    expect(diagnostics.map((d) => [d.severity, d.message])).toEqual([
      ['warning', "phase 'a' has 'fix' but no gates: there is nothing for the fix agent to fix"],
    ]);
  });
});

describe('scope exclusivity', () => {
  it('orders overlapping tasks in config order and records the decision', async () => {
    const config = await configOf(
      `phases:\n  - id: p\n    tasks:\n${task('models', ['app/**'])}${task('user', ['app/models/user.py'])}${task('docs', ['docs/**'])}`,
    );
    const { graph } = compile(config);
    expect(graph!.scopeDecisions.map((d) => [d.earlier, d.later, ...d.patterns])).toEqual([['task:p/models', 'task:p/user', 'app/**', 'app/models/user.py']]);
    expect(edgeSet(graph!).has('task:p/models -> task:p/user')).toBe(true);
  });

  it('treats a task with no touch scope as touching anything', async () => {
    const config = await configOf(`phases:\n  - id: p\n    tasks:\n${task('a', ['x/**'])}${task('b')}`);
    expect(compile(config).graph!.scopeDecisions.map((d) => d.patterns)).toEqual([['x/**', '(any file)']]);
  });

  it('keeps apart tasks of phases that can run side by side, not of ordered ones', async () => {
    const config = await configOf(
      `phases:\n  - id: a\n    tasks:\n${task('t1', ['src/**'])}  - id: b\n    needs: []\n    tasks:\n${task('t2', ['src/x.ts'])}  - id: c\n    needs: [a]\n    tasks:\n${task('t3', ['src/**'])}`,
    );
    const decisions = compile(config).graph!.scopeDecisions.map((d) => `${d.earlier} -> ${d.later}`);
    // a and b are unordered; c comes after a, but b is unordered with c too.
    expect(decisions).toEqual(['task:a/t1 -> task:b/t2', 'task:b/t2 -> task:c/t3']);
  });

  it('adds no ordering that another already implies', async () => {
    const config = await configOf(`phases:\n  - id: p\n    tasks:\n${task('a')}${task('b')}${task('c')}${task('d')}`);
    const decisions = compile(config).graph!.scopeDecisions.map((d) => `${d.earlier} -> ${d.later}`);
    expect(decisions).toEqual(['task:p/a -> task:p/b', 'task:p/b -> task:p/c', 'task:p/c -> task:p/d']);
  });

  it('--strict-scopes turns an overlap into an error at the later task', async () => {
    const config = await configOf(`phases:\n  - id: p\n    tasks:\n${task('a', ['lib/*.ts'])}${task('b', ['lib/util.ts'])}`);
    const { graph, diagnostics } = compile(config, { strictScopes: true });
    expect(graph).toBeUndefined();
    expect(diagnostics[0]?.message).toBe("tasks 'a' and 'b' could run at the same time and touch the same files (lib/*.ts overlaps lib/util.ts)");
    expect(lineOf(diagnostics[0]!.loc!.file, diagnostics[0]!.loc!.start)).toBe(5);
  });

  it('checks 2,000 tasks in one phase without comparing every pair', async () => {
    const tasks = Array.from({ length: 2000 }, (_, i) => task(`t${i}`, [`mod${i}/**`])).join('');
    const config = await configOf(`phases:\n  - id: p\n    tasks:\n${tasks}`);
    const { graph } = compile(config);
    expect(graph!.scopeDecisions).toEqual([]);
    expect(analyze(graph!).waves[0]).toHaveLength(2000);
  });
});

describe('selection', () => {
  it('keeps the named phase and everything it needs', async () => {
    const config = await configOf(
      `gates:\n  unit: { run: t }\nphases:\n  - id: a\n    tasks:\n${task('t1', ['a/**'])}    gates: [unit]\n  - id: b\n    tasks:\n${task('t2', ['b/**'])}  - id: c\n    needs: []\n    tasks:\n${task('t3', ['c/**'])}`,
    );
    const { graph } = compile(config);
    const sub = selectSubgraph(graph!, ['b'], 'phase').graph!;
    expect(sub.nodes.map((n) => n.id)).toEqual(['task:a/t1', 'gate:a/unit', 'checkpoint:a', 'task:b/t2', 'checkpoint:b']);
    expect(sub.phases.map((p) => p.id)).toEqual(['a', 'b']);
    const gate = selectSubgraph(graph!, ['unit'], 'gate').graph!;
    expect(gate.nodes.map((n) => n.id)).toEqual(['gate:unit']);
    const bad = selectSubgraph(graph!, ['bb'], 'phase');
    expect(bad.diagnostics.map((d) => [d.message, d.hint])).toEqual([["unknown phase 'bb'", "did you mean 'b'?"]]);
  });
});
