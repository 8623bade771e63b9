import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/repo.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function repoWithRemote(config: string): { repo: string; remote: string } {
  const remote = mkdtempSync(path.join(tmpdir(), 'orchestra-remote-'));
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const repo = makeRepo({ 'orchestra.config.yaml': config });
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'config', 'user.name', 'Test');
  git(repo, 'remote', 'add', 'origin', remote);
  return { repo, remote };
}

const CONFIG = 'gates:\n  ready:\n    run: test -f READY\n  other:\n    run: "false"\nhooks:\n  pre-push: [ready]\n';

describe.concurrent('orchestra hooks', () => {
  it('a real git push is refused while a gate fails and goes through once it holds', async () => {
    const { repo, remote } = repoWithRemote(CONFIG);
    const installed = await runCli(['hooks', 'install'], repo);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain('installed .git/hooks/pre-push → orchestra check --hook pre-push');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'first');

    const refused = spawnSync('git', ['push', '-q', 'origin', 'main'], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('✗ ready');
    expect(() => git(remote, 'rev-parse', 'main')).toThrow();

    // The hook judges the pushed commit: READY must be committed, not only on disk.
    writeFileSync(path.join(repo, 'READY'), '');
    git(repo, 'add', 'READY');
    git(repo, 'commit', '-qm', 'ready');
    const pushed = spawnSync('git', ['push', '-q', 'origin', 'main'], { cwd: repo, encoding: 'utf8' });
    expect(pushed.status).toBe(0);
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(git(repo, 'rev-parse', 'HEAD').trim());
  });

  it('ORCHESTRA_SKIP=1 lets a push through', async () => {
    const { repo, remote } = repoWithRemote(CONFIG);
    await runCli(['hooks', 'install'], repo);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'first');
    const pushed = spawnSync('git', ['push', '-q', 'origin', 'main'], { cwd: repo, env: { ...process.env, ORCHESTRA_SKIP: '1' } });
    expect(pushed.status).toBe(0);
    expect(git(remote, 'rev-parse', 'main').trim()).toHaveLength(40);
  });

  it('respects core.hooksPath, never clobbers a foreign hook, and uninstalls only its own', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'githooks/pre-push': '#!/bin/sh\necho mine\n' });
    git(repo, 'config', 'core.hooksPath', 'githooks');
    const refused = await runCli(['hooks', 'install'], repo);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('githooks/pre-push exists and orchestra did not write it');
    expect(refused.stderr).toContain('npx orchestra check --hook pre-push');
    expect(readFileSync(path.join(repo, 'githooks/pre-push'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
    const un = await runCli(['hooks', 'uninstall'], repo);
    expect(un.stdout).toContain('kept githooks/pre-push: orchestra did not write it');
    expect(existsSync(path.join(repo, 'githooks/pre-push'))).toBe(true);

    const forced = await runCli(['hooks', 'install', '--force'], repo);
    expect(forced.code).toBe(0);
    expect(readFileSync(path.join(repo, 'githooks/pre-push'), 'utf8')).toContain('orchestra-hook');
    expect((await runCli(['hooks', 'uninstall'], repo)).stdout).toContain('removed githooks/pre-push');
    expect(existsSync(path.join(repo, 'githooks/pre-push'))).toBe(false);
  });

  it('writes into .husky/ when husky owns core.hooksPath', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, '.husky/_/h': '' });
    git(repo, 'config', 'core.hooksPath', '.husky/_');
    const r = await runCli(['hooks', 'install'], repo);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(repo, '.husky/pre-push'), 'utf8')).toContain('check --hook pre-push');
  });

  it('init adds a check script to package.json without clobbering one', async () => {
    const repo = makeRepo({ 'package.json': '{\n    "name": "x",\n    "scripts": { "test": "vitest" }\n}\n' });
    expect((await runCli(['init'], repo)).code).toBe(0);
    const pkg = readFileSync(path.join(repo, 'package.json'), 'utf8');
    expect(JSON.parse(pkg)).toEqual({ name: 'x', scripts: { test: 'vitest', check: 'orchestra check' } });
    expect(pkg).toContain('\n    "name"');
    const other = makeRepo({ 'package.json': '{ "scripts": { "check": "tsc" } }' });
    await runCli(['init'], other);
    expect(JSON.parse(readFileSync(path.join(other, 'package.json'), 'utf8'))).toEqual({ scripts: { check: 'tsc' } });
  });
});
