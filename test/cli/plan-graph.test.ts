import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, positions, ROOT, runCli, TEAM } from '../helpers/repo.js';

const CONFIG = `gates:
  typecheck: { run: tsc --noEmit }
  unit: { run: [npm, test], needs: [typecheck] }
phases:
  - id: models
    tasks:
      - { id: user, agent: implementer, prompt: User model., scope: { touch: ["app/models/**"] } }
      - { id: order, agent: implementer, prompt: Order model., scope: { touch: ["app/models/order.py"] } }
    gates: [unit]
    fix: { agent: fix-executor, attempts: 2 }
  - id: api
    tasks:
      - { id: routes, agent: codex, prompt: Routes., scope: { touch: ["app/api/**"] } }
`;

describe.concurrent('orchestra graph', () => {
  it('prints the JSON contract', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': TEAM });
    const r = await runCli(['graph', '--format', 'json'], repo);
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.stdout) as { nodes: Array<Record<string, unknown>>; edges: Array<{ from: string; to: string }> };
    for (const n of graph.nodes) expect(Object.keys(n).slice(0, 6)).toEqual(['id', 'kind', 'name', 'phase', 'run', 'agent']);
    expect(graph.nodes.find((n) => n.id === 'gate:unit')).toEqual({
      id: 'gate:unit',
      kind: 'gate',
      name: 'unit',
      phase: null,
      run: ['npm', 'test'],
      agent: null,
    });
    expect(graph.nodes.find((n) => n.id === 'gate:models/typecheck')).toMatchObject({ phase: 'models', run: 'tsc --noEmit' });
    expect(graph.nodes.find((n) => n.id === 'task:models/user')).toEqual({
      id: 'task:models/user',
      kind: 'task',
      name: 'user',
      phase: 'models',
      run: null,
      agent: 'implementer',
    });
    expect(graph.nodes.find((n) => n.kind === 'fix')).toMatchObject({ id: 'fix:models', agent: 'fix-executor' });
    expect(new Set(graph.nodes.map((n) => n.kind))).toEqual(new Set(['task', 'gate', 'fix', 'checkpoint']));
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const e of graph.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
    expect(graph.edges).toContainEqual({ from: 'task:models/user', to: 'task:models/order' });
    expect(graph.edges).toContainEqual({ from: 'checkpoint:models', to: 'task:api/routes' });
  });

  it('prints mermaid and dot', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': TEAM });
    const mermaid = await runCli(['graph'], repo);
    expect(mermaid.stdout.split('\n')[0]).toBe('flowchart TD');
    expect(mermaid.stdout).toContain('subgraph p0["phase models"]');
    expect(mermaid.stdout).toMatch(/n\d+\{\{"unit"\}\}/);
    const dot = await runCli(['graph', '--format', 'dot', 'models'], repo);
    expect(dot.stdout).toMatch(/^digraph orchestra \{/);
    expect(dot.stdout).toContain('"task:models/user" -> "task:models/order";');
    expect(dot.stdout).not.toContain('api');
  });

  it('reports a cycle at the config line with a note per edge, exit 2', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  a: { run: x, needs: [b] }\n  b: { run: x, needs: [a] }\n' });
    const r = await runCli(['graph'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('orchestra.config.yaml:2:24: error: gate cycle: a -> b -> a');
    expect(r.stderr).toContain("orchestra.config.yaml:3:24: note: 'b' needs 'a'");
  });
});

describe.concurrent('orchestra plan', () => {
  it('shows waves, scope decisions, agents and the critical path', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': TEAM });
    const r = await runCli(['plan'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('order  → claude (role implementer)');
    expect(r.stdout).toContain('routes  → codex  touch app/api/**');
    expect(r.stdout).toContain('gates: typecheck, unit · fix: claude ×2');
    expect(r.stdout).toContain('waits for models/user (scope)');
    expect(r.stdout).toContain('models/order waits for models/user: app/models/** and app/models/order.py may touch the same files');
    expect(r.stdout).toMatch(/Critical path: \d+ steps: models\/user → models\/order → gate models\/typecheck/);
  });

  it('--json gives the same plan for machines', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': TEAM });
    const r = await runCli(['plan', '--json'], repo);
    const plan = JSON.parse(r.stdout) as {
      summary: Record<string, number>;
      waves: string[][];
      criticalPath: string[];
      phases: Array<{ id: string; tasks: Array<{ id: string; agent: string; role: string }> }>;
      scopeDecisions: unknown[];
    };
    expect(plan.summary).toEqual({ gates: 2, phases: 2, tasks: 3, agents: 2, nodes: 8, edges: 8 });
    expect(plan.waves[0]).toEqual(['task:models/user']);
    expect(plan.criticalPath.at(-1)).toBe('checkpoint:api');
    expect(plan.phases[1]!.tasks[0]).toMatchObject({ id: 'routes', agent: 'codex', role: null });
    expect(plan.scopeDecisions).toHaveLength(1);
  });

  it('--strict-scopes refuses overlapping tasks with exit 2', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': TEAM });
    const r = await runCli(['plan', '--strict-scopes'], repo);
    expect(r.code).toBe(2);
    expect(positions(r.stderr)).toEqual(['orchestra.config.yaml:8:15']);
  });

  it('--write writes the markdown report under .orchestra/reports/', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': TEAM });
    const r = await runCli(['plan', '--write'], repo);
    expect(r.code).toBe(0);
    const dir = path.join(repo, '.orchestra', 'reports');
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^plan-.*\.md$/);
    const md = readFileSync(path.join(dir, file!), 'utf8');
    expect(md).toContain('| Wave | Nodes |');
    expect(md).toContain('- valid: 2 gates, 2 phases, 3 tasks, 2 agents');
    expect(md).toContain('| models | order | claude (role implementer) | app/models/order.py | - | models/user |');
    expect(r.stdout).toContain(`wrote .orchestra/reports/${file}`);
  });

  it('names an unknown phase with a suggestion, exit 2', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': TEAM });
    const r = await runCli(['plan', 'modles'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown phase 'modles'");
    expect(r.stderr).toContain("did you mean 'models'?");
  });

  it('runs on the bundled example (the README quick start)', async () => {
    const r = await runCli(['plan', '--cwd', 'examples/shop'], ROOT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('models/pricing-rules waits for models/cart');
    expect(r.stdout).toContain('phase-1.checkout');
  });
});
