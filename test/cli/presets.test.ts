import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/repo.js';

interface Report {
  ok: boolean;
  results: Array<{ name: string; status: string; findings: Array<{ rule: string; file: string; line: number; column: number; severity: string }> }>;
}
const report = (stdout: string) => JSON.parse(stdout) as Report;
const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

const MODELS = `from datetime import datetime
from sqlalchemy import Column, DateTime, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=datetime.utcnow)
    updated_at = Column(DateTime)
`;

// One test at a time: each spawns the CLI several times in a row, and run side by side on a 2-core machine
// their wall times added up past the test timeout (30 s) under full-suite load; alone each takes a third of it.
describe('builtin presets in a real repo', () => {
  it('sqlalchemy: finds the datetime lesson, and --fix repairs it into code that parses', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'extends: [sqlalchemy]\n', 'app/models.py': MODELS, 'migrations/versions/001.py': MODELS });
    const r = await runCli(['check', '--reporter', 'json'], repo);
    expect(r.code).toBe(1);
    const byGate = Object.fromEntries(report(r.stdout).results.map((x) => [x.name, x]));
    expect(byGate['timestamps']?.status).toBe('failed');
    expect(byGate['timestamps']?.findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual(['app/models.py:11:5', 'app/models.py:12:5']);
    // Warnings are reported and do not fail the gate.
    expect(byGate['timezone-aware']?.status).toBe('passed');
    expect(byGate['timezone-aware']?.findings.map((f) => f.severity)).toEqual(['warning', 'warning']);
    // A cached pass still shows its warnings.
    const again = Object.fromEntries(report((await runCli(['check', '--reporter', 'json'], repo)).stdout).results.map((x) => [x.name, x]));
    expect(again['timezone-aware']).toMatchObject({ status: 'cached' });
    expect(again['timezone-aware']?.findings).toEqual(byGate['timezone-aware']?.findings);

    const fixed = await runCli(['check', '--fix'], repo);
    expect(fixed.stderr).toContain('fixed 4 findings in 1 file:\n  app/models.py (4)');
    expect(fixed.code).toBe(0);
    const text = readFileSync(path.join(repo, 'app/models.py'), 'utf8');
    expect(text).toContain('from sqlalchemy import func\n');
    expect(text).toContain('updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())');
    execFileSync('python3', ['-c', 'import ast,sys; ast.parse(open(sys.argv[1]).read())', path.join(repo, 'app/models.py')]);
    // Files outside the gate's globs (migrations are excluded) are never touched.
    expect(readFileSync(path.join(repo, 'migrations/versions/001.py'), 'utf8')).toBe(MODELS);
  });

  it('hygiene: TODOs in comments, placeholders and conflict markers; tests are excluded; a gate can be tuned', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'extends: [hygiene]\ngates:\n  no-placeholder:\n    severity: warning\n',
      'src/a.py': 'def f():\n    # TODO: handle errors\n    raise NotImplementedError\n',
      'src/b.ts': 'export const s = "TODO: not a comment";\n',
      'tests/test_a.py': '# TODO: more tests\n',
      'README.md': 'a\n<<<<<<< HEAD\n',
    });
    const r = await runCli(['check', '--keep-going', '--reporter', 'json'], repo);
    expect(r.code).toBe(1);
    const byGate = Object.fromEntries(report(r.stdout).results.map((x) => [x.name, x]));
    expect(byGate['no-todo']?.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/a.py:2']);
    expect(byGate['conflict-markers']?.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['README.md:2']);
    expect(byGate['no-placeholder']).toMatchObject({ status: 'passed', findings: [{ file: 'src/a.py', line: 3, severity: 'warning' }] });
  });

  it('python: imports resolve with the project interpreter; a missing tool says so', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'extends: [python]\n',
      'pkg/__init__.py': '',
      'pkg/good.py': 'VALUE = 1\n',
      'pkg/sub/__init__.py': '',
      'pkg/sub/bad.py': 'import no_such_module_here\n',
    });
    const bad = await runCli(['check', 'imports'], repo);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("pkg.sub.bad: ModuleNotFoundError: No module named 'no_such_module_here'");
    expect(bad.stdout).toContain('imports: 4 modules, 1 failed');
    writeFileSync(path.join(repo, 'pkg/sub/bad.py'), 'import os\n');
    expect((await runCli(['check', 'imports'], repo)).code).toBe(0);
    // Whether or not ruff is installed here: the gate's PATH holds no ruff.
    writeFileSync(path.join(repo, 'orchestra.config.yaml'), 'extends: [python]\ngates:\n  ruff:\n    env: { PATH: /nonexistent }\n');
    const ruff = await runCli(['check', 'ruff'], repo);
    expect(ruff.code).toBe(1);
    expect(ruff.stdout).toContain("'ruff' is not installed or not on PATH (install it, or set enabled: false on gate ruff)");
  });

  it('node: npm test runs; a tool missing from node_modules says so', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'extends: [node]\ngates:\n  test:\n    needs: []\n',
      'package.json': JSON.stringify({ name: 'x', scripts: { test: 'node -e "process.exit(0)"' } }),
    });
    expect((await runCli(['check', 'test'], repo)).code).toBe(0);
    const tsc = await runCli(['check', 'typecheck'], repo);
    expect(tsc.code).toBe(1);
    expect(tsc.stdout).toContain("'node_modules/.bin/tsc' is not installed or not on PATH");
  });

  const GO_MODULE = { 'go.mod': 'module example.com/x\n\ngo 1.21\n', 'main.go': 'package main\n\nfunc main() {}\n' };

  it('go: without go on the PATH the message says so, and what needs go vet is skipped', async () => {
    // Whether or not go is installed here: the gates' PATH holds no go.
    const repo = makeRepo({
      'orchestra.config.yaml': 'extends: [go]\ngates:\n  go-vet:\n    env: { PATH: /nonexistent }\n  go-test:\n    env: { PATH: /nonexistent }\n',
      ...GO_MODULE,
    });
    const r = await runCli(['check', '--reporter', 'json'], repo);
    expect(r.code).toBe(1);
    expect(report(r.stdout).results.map((x) => [x.name, x.status])).toEqual([
      ['go-vet', 'failed'],
      ['go-test', 'skipped'],
    ]);
    const pretty = await runCli(['check', 'go-vet'], repo);
    expect(pretty.stdout).toContain("'go' is not installed or not on PATH (install it, or set enabled: false on gate go-vet)");
  });

  // Needs a Go toolchain: .ci/run installs Debian's; outside CI a machine without one reports it skipped.
  it.skipIf(!onPath('go') && !process.env['CI'])('go: the gates pass on a sound module', async () => {
    expect(onPath('go'), 'CI is set and there is no go on PATH: .ci/run should have installed golang-go').toBe(true);
    const repo = makeRepo({ 'orchestra.config.yaml': 'extends: [go]\n', ...GO_MODULE });
    const r = await runCli(['check', '--reporter', 'json'], repo);
    expect(r.code).toBe(0);
  });

  it('hygiene/files-exist: every promised path or glob matches a file', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml': 'gates:\n  generated:\n    rule: hygiene/files-exist\n    options:\n      paths: ["proto/*.proto", "backend/stubs/**"]\n',
      'proto/orders.proto': 'syntax = "proto3";\n',
    });
    const r = await runCli(['check', '--reporter', 'json'], repo);
    expect(r.code).toBe(1);
    expect(report(r.stdout).results[0]?.findings.map((f) => f.file)).toEqual(['backend/stubs/**']);
    writeFileSync(path.join(repo, 'proto/x.txt'), '');
    execFileSync('mkdir', ['-p', path.join(repo, 'backend/stubs')]);
    writeFileSync(path.join(repo, 'backend/stubs/orders_pb2.py'), '');
    expect((await runCli(['check'], repo)).code).toBe(0);
  });

  it('a declared rule finds its pattern and --fix applies its replacement', async () => {
    const repo = makeRepo({
      'orchestra.config.yaml':
        'rules:\n  no-print:\n    pattern: "print\\\\((.*)\\\\)"\n    files: ["app/**/*.py"]\n    message: use the logger\n    fix: "log.info($1)"\ngates:\n  no-print: { rule: no-print }\n',
      'app/a.py': 'x = 1\nprint("hello")\nprint(x)\n',
      'scripts/b.py': 'print("not in the gate\'s files")\n',
    });
    const r = await runCli(['check', '--reporter', 'json'], repo);
    expect(r.code).toBe(1);
    expect(report(r.stdout).results[0]?.findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual(['app/a.py:2:1', 'app/a.py:3:1']);
    const fixed = await runCli(['check', '--fix'], repo);
    expect(fixed.code).toBe(0);
    expect(readFileSync(path.join(repo, 'app/a.py'), 'utf8')).toBe('x = 1\nlog.info("hello")\nlog.info(x)\n');
    expect(readFileSync(path.join(repo, 'scripts/b.py'), 'utf8')).toBe('print("not in the gate\'s files")\n');
  });

  it('validate rejects unknown options of a builtin rule at their line', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'extends: [sqlalchemy]\ngates:\n  timestamps:\n    options:\n      nmes: [created_at]\n' });
    const r = await runCli(['validate'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("orchestra.config.yaml:5:7: error: rule sqlalchemy/timestamp-server-default has no option 'nmes'");
  });
});
