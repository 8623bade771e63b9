import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, positions, runCli, TEAM } from '../helpers/repo.js';

const GOOD = `gates:
  typecheck:
    run: tsc --noEmit
    inputs: ["src/**/*.ts"]
    timeout: 5m
  unit:
    run: [npm, test]
    needs: [typecheck]
phases:
  - id: models
    tasks:
      - id: user-model
        agent: implementer
        prompt: Implement the User model.
        scope: { touch: ["app/models/**"] }
    gates: [unit]
    fix: { agent: fix-executor, attempts: 2 }
  - id: api
    tasks:
      - { id: routes, agent: codex, prompt: Add the routes., scope: { touch: ["app/api/**"] } }
hooks:
  pre-push: [typecheck, unit]
`;

describe.concurrent('orchestra validate', () => {
  it('accepts a valid config and prints a one-line summary', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': GOOD, 'team.json': TEAM });
    const r = await runCli(['validate'], repo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('✓ orchestra.config.yaml is valid: 2 gates, 2 phases, 2 tasks, 2 agents');
  });

  it('finds the config from a subdirectory upwards', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': GOOD, 'team.json': TEAM, 'app/models/x.py': '' });
    const r = await runCli(['validate'], path.join(repo, 'app', 'models'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 gates, 2 phases');
  });

  it.each([
    ['.orchestrarc.yaml', 'gates:\n  a: { run: "true" }\n'],
    ['.orchestrarc', 'gates:\n  a: { run: "true" }\n'],
    ['orchestra.config.yml', 'gates:\n  a: { run: "true" }\n'],
    ['orchestra.config.json', '{ "gates": { "a": { "run": "true" } } }\n'],
    ['orchestra.config.mjs', 'export default { gates: { a: { run: "true" } } };\n'],
    ['package.json', '{ "name": "x", "orchestra": { "gates": { "a": { "run": "true" } } } }\n'],
  ])('finds %s', async (file, content) => {
    const repo = makeRepo({ [file]: content });
    const r = await runCli(['validate'], repo);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${file} is valid: 1 gate, 0 phases`);
  });

  it('points into package.json for a mistake under its "orchestra" key', async () => {
    const repo = makeRepo({ 'package.json': '{\n  "name": "x",\n  "orchestra": {\n    "gatse": {}\n  }\n}\n' });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(positions(r.stderr)).toEqual(['package.json:4:5']);
  });

  it('ignores a package.json without the key and keeps looking upwards', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates: {}\n', 'pkg/package.json': '{ "name": "inner" }\n' });
    const r = await runCli(['validate'], path.join(repo, 'pkg'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('../orchestra.config.yaml is valid');
  });

  it('--config and --cwd override the search', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  a: { run: "true" }\n', 'other/alt.yaml': 'gates: {}\n' });
    const byConfig = await runCli(['validate', '--config', 'other/alt.yaml'], repo);
    expect(byConfig.stdout).toContain('other/alt.yaml is valid: 0 gates');
    const byCwd = await runCli(['validate', '--cwd', repo], '/');
    expect(byCwd.code).toBe(0);
    expect(byCwd.stdout).toContain('1 gate');
    const missing = await runCli(['validate', '--config', 'nope.yaml'], repo);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--config: no such file');
  });

  it('says how to start when there is no config', async () => {
    const repo = makeRepo({});
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no orchestra config found');
    expect(r.stderr).toContain("run 'orchestra init'");
  });

  it('treats an empty config file as an empty config', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': '# nothing yet\n' });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 gates, 0 phases, 0 tasks, 0 agents');
  });

  it('reads team: relative to the file that names it', async () => {
    const repo = makeRepo({
      'config/orchestra.config.yaml': 'team: ../agents/team.json\n' + GOOD,
      'agents/team.json': TEAM,
    });
    const r = await runCli(['validate', '--config', 'config/orchestra.config.yaml'], repo);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('2 agents');
  });
});

describe.concurrent('extends', () => {
  it('layers presets: later entries override earlier ones, the user file overrides all', async () => {
    const repo = makeRepo({
      'base.yaml': 'gates:\n  test:\n    run: base-test\n    timeout: 1m\n  lint:\n    run: base-lint\n',
      'strict.yaml': 'gates:\n  test:\n    run: strict-test\n  extra:\n    run: strict-extra\n',
      'orchestra.config.yaml': 'extends: [./base.yaml, ./strict.yaml]\ngates:\n  lint:\n    run: user-lint\n',
    });
    const r = await runCli(['graph', '--format', 'json'], repo);
    expect(r.stderr).toBe('');
    const graph = JSON.parse(r.stdout) as { nodes: Array<{ name: string; run: string }> };
    const run = Object.fromEntries(graph.nodes.map((n) => [n.name, n.run]));
    expect(run).toEqual({ test: 'strict-test', lint: 'user-lint', extra: 'strict-extra' });
  });

  it('lets a user tune a preset gate key by key and turn one off', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'extends: hygiene\ngates:\n  no-todo:\n    files: ["src/**/*.ts"]\n  no-placeholder:\n    enabled: false\n',
    });
    const r = await runCli(['graph', '--format', 'json'], repo);
    expect(r.stderr).toBe('');
    const nodes = (JSON.parse(r.stdout) as { nodes: Array<{ name: string; rule?: string }> }).nodes;
    expect(nodes.map((n) => n.name).sort()).toEqual(['conflict-markers', 'no-todo']);
    expect(nodes.find((n) => n.name === 'no-todo')?.rule).toBe('hygiene/no-todo');
  });

  it('a gate that switches from rule to run drops the rule', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'extends: [hygiene]\ngates:\n  no-todo:\n    run: ./my-todo-check.sh\n' });
    const r = await runCli(['validate'], repo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('resolves an npm package preset from the user repo (orchestra-preset.yaml or a YAML main)', async () => {
    const repo = makeRepo({
      'node_modules/@acme/orchestra-preset/package.json': '{ "name": "@acme/orchestra-preset", "version": "1.0.0" }',
      'node_modules/@acme/orchestra-preset/orchestra-preset.yaml': 'gates:\n  acme:\n    run: acme-check\n',
      'node_modules/yaml-main/package.json': '{ "name": "yaml-main", "version": "1.0.0", "main": "preset.yml" }',
      'node_modules/yaml-main/preset.yml': 'gates:\n  other:\n    run: other-check\n',
      'orchestra.config.yaml': 'extends: ["@acme/orchestra-preset", yaml-main]\n',
    });
    const r = await runCli(['validate'], repo);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('2 gates');
  });

  it('composes every builtin preset without errors', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'extends: [hygiene, node, python, go, sqlalchemy]\n' });
    const r = await runCli(['validate'], repo);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('is valid: 13 gates');
    expect(r.stdout).toContain('(with hygiene, node, python, go, sqlalchemy)');
  });
});

describe('schemas', () => {
  it('publish an $id, a title and a description for every property', () => {
    for (const file of ['schemas/orchestra.config.schema.json', 'schemas/team.schema.json']) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { $id: string; title: string; properties: Record<string, { description?: string }> };
      expect(schema.$id).toMatch(/^urn:orchestra:schema:/);
      expect(schema.title).toBeTruthy();
      for (const [key, value] of Object.entries(schema.properties)) expect(value.description, `${file}: ${key}`).toBeTruthy();
    }
  });
});

describe.concurrent('the parse cache', () => {
  it('stores parsed files under .orchestra/ (ignored by git) and never serves a stale one', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': GOOD, 'team.json': TEAM });
    expect((await runCli(['validate'], repo)).code).toBe(0);
    const cacheDir = path.join(repo, '.orchestra', 'cache', 'parse');
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
    expect(readFileSync(path.join(repo, '.orchestra', '.gitignore'), 'utf8')).toBe('*\n');
    // A cached run reports the same positions as a fresh one.
    writeFileSync(path.join(repo, 'orchestra.config.yaml'), GOOD.replace('needs: [typecheck]', 'needs: [typechek]'));
    const first = await runCli(['validate'], repo);
    const second = await runCli(['validate'], repo);
    const fresh = await runCli(['validate', '--no-cache'], repo);
    expect(positions(first.stderr)).toEqual(['orchestra.config.yaml:8:13']);
    expect(second.stderr).toBe(first.stderr);
    expect(fresh.stderr).toBe(first.stderr);
  });

  it('--no-cache writes nothing', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': GOOD, 'team.json': TEAM });
    expect((await runCli(['validate', '--no-cache'], repo)).code).toBe(0);
    expect(existsSync(path.join(repo, '.orchestra'))).toBe(false);
  });
});

describe.concurrent('validate checks what plan, check and run check before they start', () => {
  const GATE_CYCLE = `gates:
  a:
    run: x
    needs: [b]
  b:
    run: y
    needs: [a]
`;

  it('a gate cycle is exit 2, named, at the needs entry; cached, from the cache and with --no-cache alike', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': GATE_CYCLE });
    const first = await runCli(['validate'], repo);
    expect(first.code).toBe(2);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain('orchestra.config.yaml:4:13: error: gate cycle: a -> b -> a');
    expect(first.stderr).toContain("orchestra.config.yaml:4:13: note: 'a' needs 'b'");
    expect(first.stderr).toContain("orchestra.config.yaml:7:13: note: 'b' needs 'a'");
    expect(positions(first.stderr)).toEqual(['orchestra.config.yaml:4:13']);
    const cached = await runCli(['validate'], repo);
    const fresh = await runCli(['validate', '--no-cache'], repo);
    expect([cached.code, fresh.code]).toEqual([2, 2]);
    expect(cached.stderr).toBe(first.stderr);
    expect(fresh.stderr).toBe(first.stderr);
    // plan says the same about the same file.
    const plan = await runCli(['plan'], repo);
    expect(plan.code).toBe(2);
    expect(positions(plan.stderr)).toEqual(['orchestra.config.yaml:4:13']);
  });

  it('a phase cycle is exit 2, named, at the needs entry', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': `phases:
  - id: models
    needs: [api]
    tasks:
      - { id: user-model, agent: implementer, prompt: Write it. }
  - id: api
    needs:
      - models
    tasks:
      - { id: routes, agent: codex, prompt: Write them. }
`,
      'team.json': TEAM,
    });
    for (const args of [['validate'], ['validate', '--no-cache']]) {
      const r = await runCli(args, repo);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('orchestra.config.yaml:3:13: error: phase cycle: models -> api -> models');
      expect(r.stderr).toContain("orchestra.config.yaml:3:13: note: 'models' needs 'api'");
      expect(r.stderr).toContain("orchestra.config.yaml:8:9: note: 'api' needs 'models'");
      expect(positions(r.stderr)).toEqual(['orchestra.config.yaml:3:13']);
    }
  });

  it('a phase cycle through the default order (no needs: after the phase before) notes that phase', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'phases:\n  - id: models\n    needs: [api]\n    tasks: []\n  - id: api\n    tasks: []\n',
    });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('orchestra.config.yaml:3:13: error: phase cycle: models -> api -> models');
    expect(r.stderr).toContain("orchestra.config.yaml:5:9: note: 'api' has no 'needs', so it runs after 'models', the phase before it");
  });

  it('a gate cycle across an extended preset points into both files', async () => {
    const repo = makeRepo({
      'base.yaml': 'gates:\n  lint:\n    run: eslint .\n    needs: [test]\n',
      'orchestra.config.yaml': 'extends: [./base.yaml]\ngates:\n  test:\n    run: vitest\n    needs: [lint]\n',
    });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('base.yaml:4:13: error: gate cycle: lint -> test -> lint');
    expect(r.stderr).toContain("base.yaml:4:13: note: 'lint' needs 'test'");
    expect(r.stderr).toContain("orchestra.config.yaml:5:13: note: 'test' needs 'lint'");
  });

  it('a disabled gate leaves the hook lists and needs that name it, with a note in validate, and check --hook runs the rest', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'gates:\n  a:\n    run: "true"\n    needs: [b]\n  b:\n    run: "true"\n    enabled: false\nhooks:\n  pre-push: [a, b]\n',
    });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("orchestra.config.yaml:9:17: warning: note: hook 'pre-push' skips gate 'b', which is disabled");
    expect(r.stderr).toContain("orchestra.config.yaml:4:13: warning: note: gate 'a' no longer waits for gate 'b'");
    // Counted apart: a disabled gate does not run.
    expect(r.stdout).toContain('is valid: 1 gate (1 disabled)');
    const check = await runCli(['check', '--hook', 'pre-push'], repo);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('✓ a');
    expect(check.stdout).not.toContain(' b');
    expect(check.stderr).toBe('');
  });

  it('--strict-scopes makes overlapping scopes an error, as plan --strict-scopes does', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': `phases:
  - id: one
    tasks:
      - { id: first, agent: implementer, prompt: Do it., scope: { touch: ["app/**"] } }
      - { id: second, agent: implementer, prompt: Do it., scope: { touch: ["app/models/**"] } }
`,
      'team.json': TEAM,
    });
    const lenient = await runCli(['validate'], repo);
    expect(lenient.stderr).toBe('');
    expect(lenient.code).toBe(0);
    const strict = await runCli(['validate', '--strict-scopes'], repo);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain("error: tasks 'first' and 'second' could run at the same time and touch the same files");
    expect(positions(strict.stderr)).toEqual(positions((await runCli(['plan', '--strict-scopes'], repo)).stderr));
  });

  it("prints the compile's warnings and still exits 0", async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'phases:\n  - id: one\n    tasks: []\n    fix: { agent: fix-executor }\n',
      'team.json': TEAM,
    });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: phase 'one' has 'fix' but no gates");
    expect(r.stdout).toContain('is valid: 0 gates, 1 phase');
  });
});
