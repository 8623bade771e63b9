import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, ROOT, writeFiles } from '../helpers/repo.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const run = (cmd: string, args: string[], cwd: string) =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false' } });

describe('the published package', () => {
  it('packs, installs into a fresh project, and runs init, check, hooks install and a real git push', () => {
    const packDir = mkdtempSync(path.join(tmpdir(), 'orchestra-pack-'));
    made.push(packDir);
    const packed = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], ROOT);
    expect(packed.status, packed.stderr).toBe(0);
    // npm 11 blocks install scripts of dependencies: nothing may be built on install.
    expect(packed.stderr).not.toMatch(/prepare/);
    const tarball = path.join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz')) as string);
    expect(path.basename(tarball)).toMatch(/^orchestra-gates-/);
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    expect(listing).toContain('package/LICENSE');
    expect(listing).toContain('package/dist/cli/main.js');
    // The spawner that starts gates (without it, Node does: slower, but nothing breaks).
    expect(listing).toContain('package/libexec/spawner.py');
    expect(listing).not.toMatch(/\.map$/m);
    expect(listing).not.toContain('package/src/');

    const remote = mkdtempSync(path.join(tmpdir(), 'orchestra-remote-'));
    made.push(remote);
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    const repo = makeRepo({
      'package.json': JSON.stringify({ name: 'shop', version: '1.0.0', private: true, scripts: { test: 'node test.js' } }, null, 2),
      'test.js': 'console.log("ok");\n',
    });
    for (const [k, v] of [
      ['user.email', 'test@example.com'],
      ['user.name', 'Test'],
    ])
      execFileSync('git', ['config', k as string, v as string], { cwd: repo });
    execFileSync('git', ['remote', 'add', 'origin', remote], { cwd: repo });
    const installed = run('npm', ['install', '--no-package-lock', '--save-dev', '--ignore-scripts=false', tarball], repo);
    expect(installed.status, installed.stderr).toBe(0);
    expect(existsSync(path.join(repo, 'node_modules/orchestra-gates/schemas/orchestra.config.schema.json'))).toBe(true);

    const init = run('npx', ['orchestra', 'init'], repo);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toContain('detected');
    // The $schema path init writes is where the package put its schema.
    const schema = /\$schema=\.\/(\S+)/.exec(readFileSync(path.join(repo, 'orchestra.config.yaml'), 'utf8'))?.[1];
    expect(schema && existsSync(path.join(repo, schema))).toBe(true);
    const check = run('npx', ['orchestra', 'check'], repo);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(run('npx', ['orchestra', 'hooks', 'install'], repo).status).toBe(0);

    writeFiles(repo, { '.gitignore': 'node_modules/\n.orchestra/\n' });
    execFileSync('git', ['add', '-A'], { cwd: repo });
    execFileSync('git', ['commit', '-qm', 'first'], { cwd: repo });
    const pushed = run('git', ['push', 'origin', 'main'], repo);
    expect(pushed.status, pushed.stdout + pushed.stderr).toBe(0);
    expect(pushed.stdout + pushed.stderr).toContain('all held');
    expect(execFileSync('git', ['rev-parse', 'main'], { cwd: remote, encoding: 'utf8' })).toBe(
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }),
    );
  }, 240_000);
});
