import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/repo.js';

describe.concurrent('orchestra init', () => {
  it('writes a starter config and team that validate, and ignores .orchestra/', async () => {
    const repo = makeRepo({ '.gitignore': 'node_modules/' });
    const r = await runCli(['init'], repo);
    expect(r.code).toBe(0);
    const config = readFileSync(path.join(repo, 'orchestra.config.yaml'), 'utf8');
    expect(config.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/orchestra-gates/schemas/orchestra.config.schema.json');
    expect(existsSync(path.join(repo, 'team.json'))).toBe(true);
    expect(readFileSync(path.join(repo, '.gitignore'), 'utf8')).toBe('node_modules/\n.orchestra/\n');
    const v = await runCli(['validate'], repo);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  });

  it('refuses to overwrite without --force and writes nothing', async () => {
    const repo = makeRepo({ 'team.json': '{"agents": []}' });
    const r = await runCli(['init'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('team.json already exists');
    expect(existsSync(path.join(repo, 'orchestra.config.yaml'))).toBe(false);
    expect(readFileSync(path.join(repo, 'team.json'), 'utf8')).toBe('{"agents": []}');
    expect(existsSync(path.join(repo, '.gitignore'))).toBe(false);
  });

  it('overwrites with --force, and does not add .orchestra/ twice', async () => {
    const repo = makeRepo({});
    await runCli(['init'], repo);
    writeFileSync(path.join(repo, 'team.json'), 'broken');
    const r = await runCli(['init', '--force'], repo);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(repo, 'team.json'), 'utf8')).toContain('"agents"');
    expect(readFileSync(path.join(repo, '.gitignore'), 'utf8')).toBe('.orchestra/\n');
  });
});

describe.concurrent('init fits the project', () => {
  it('a JS project without a test script: the first check passes, and init says what it found', async () => {
    const repo = makeRepo({ 'package.json': '{ "name": "x", "scripts": { "lint": "node -e 0" } }\n', 'package-lock.json': '{}' });
    const r = await runCli(['init'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('detected package.json with package-lock.json (npm): scripts lint');
    const config = readFileSync(path.join(repo, 'orchestra.config.yaml'), 'utf8');
    expect(config).toContain('run: npm run lint');
    expect(config).not.toContain('npm test');
    const check = await runCli(['check'], repo);
    expect(check.stdout + check.stderr).toContain('all held');
    expect(check.code).toBe(0);
  });

  it('a Python + SQLAlchemy project gets its presets, never npm test, and a TODO is not a failed check', async () => {
    const repo = makeRepo({
      'requirements.txt': 'sqlalchemy\n',
      'app/__init__.py': '',
      'app/models.py': 'import sqlalchemy  # TODO: pin a version\n',
      '.pre-commit-config.yaml': 'repos: []\n',
    });
    const r = await runCli(['init'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('detected SQLAlchemy (app/models.py)');
    expect(r.stdout).toContain('detected pre-commit (.pre-commit-config.yaml)');
    const config = readFileSync(path.join(repo, 'orchestra.config.yaml'), 'utf8');
    expect(config).toContain('extends: [hygiene, python, sqlalchemy]');
    expect(config).not.toContain('npm');
    const check = await runCli(['check', 'no-todo', 'timestamps'], repo);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('1 warning');
    expect((await runCli(['validate'], repo)).code).toBe(0);
  });

  it('--preset chooses the presets; an unknown one is exit 2 naming the flag', async () => {
    const repo = makeRepo({});
    expect((await runCli(['init', '--preset', 'go'], repo)).code).toBe(0);
    expect(readFileSync(path.join(repo, 'orchestra.config.yaml'), 'utf8')).toContain('extends: [go]');
    const bad = await runCli(['init', '--preset', 'pythn'], makeRepo({}));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--preset: no builtin preset 'pythn'");
    expect(bad.stderr).toContain("did you mean 'python'?");
  });
});

describe.concurrent('init takes over other hook managers’ lists', () => {
  const LEFTHOOK = `pre-commit:
  parallel: true
  commands:
    lint:
      glob: "*.js"
      run: node -e "process.exit(process.argv[1]==='.'?0:4)" {staged_files}
  scripts:
    "hello.sh":
      runner: bash
pre-push:
  commands:
    unit tests:
      run: node -e 0
`;

  it('lefthook.yml: each run command is a gate of the same name, the file is left as it is, and the first check passes', async () => {
    const repo = makeRepo({ 'lefthook.yml': LEFTHOOK, 'package.json': '{ "scripts": { "lint": "node -e 0" } }\n' });
    const r = await runCli(['init'], repo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `imported from lefthook.yml (left as it is): lint-lefthook (node -e "process.exit(process.argv[1]==='.'?0:4)" .), unit-tests (node -e 0)`,
    );
    expect(r.stdout).toContain('not imported hello.sh (pre-commit: a lefthook script file, not a command)');
    expect(readFileSync(path.join(repo, 'lefthook.yml'), 'utf8')).toBe(LEFTHOOK);
    const config = readFileSync(path.join(repo, 'orchestra.config.yaml'), 'utf8');
    expect(config).toContain('  unit-tests: # from lefthook.yml pre-push\n    run: "node -e 0"\n');
    expect(config).toMatch(/pre-push: \[lint, conflict-markers, .*lint-lefthook, unit-tests\]/);
    const check = await runCli(['check', '--hook', 'pre-push'], repo);
    expect(check.stdout).toContain('✓ lint-lefthook');
    expect(check.stdout).toContain('✓ unit-tests');
    expect(check.code).toBe(0);
  });

  it(".pre-commit-config.yaml: a local hook's entry and args become the gate's command; another repo's hook is said, not imported", async () => {
    const PRE_COMMIT = `repos:
  - repo: https://github.com/psf/black
    rev: 24.1.0
    hooks:
      - id: black
  - repo: local
    hooks:
      - id: args-kept
        name: Arguments kept
        entry: node -e "process.exit(process.argv[1]==='a b'?0:5)"
        language: system
        args: ['a b']
`;
    const repo = makeRepo({ '.pre-commit-config.yaml': PRE_COMMIT });
    const r = await runCli(['init'], repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('imported from .pre-commit-config.yaml (left as it is): args-kept (');
    expect(r.stdout).toContain(
      "not imported black (from https://github.com/psf/black: pre-commit installs it; a gate could run 'pre-commit run black --all-files')",
    );
    expect(readFileSync(path.join(repo, '.pre-commit-config.yaml'), 'utf8')).toBe(PRE_COMMIT);
    const check = await runCli(['check', 'args-kept'], repo);
    expect(check.stdout + check.stderr).toContain('✓ args-kept');
    expect(check.code).toBe(0);
  });

  it('a hook file that is not YAML: an error at its line and column, nothing written; --no-import-hooks leaves it out', async () => {
    const repo = makeRepo({ 'lefthook.yml': 'pre-commit:\n  commands:\n    lint: [unclosed\n' });
    const r = await runCli(['init'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^orchestra: error: lefthook\.yml:\d+:\d+: /);
    expect(r.stderr).toContain('--no-import-hooks');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(repo, 'orchestra.config.yaml'))).toBe(false);
    const skip = await runCli(['init', '--no-import-hooks'], repo);
    expect(skip.code).toBe(0);
    expect(skip.stdout).not.toContain('imported');
    expect((await runCli(['init', '--help'], repo)).stdout).toContain('--no-import-hooks');
  });
});
