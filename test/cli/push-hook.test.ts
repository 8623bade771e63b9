import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/repo.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const remotes: string[] = [];
afterAll(() => {
  for (const r of remotes) rmSync(r, { recursive: true, force: true });
});

/** A repo with orchestra's hooks installed and a bare remote; `files` committed as the first commit (not pushed). */
async function hooked(files: Record<string, string>): Promise<{ repo: string; remote: string }> {
  const remote = mkdtempSync(path.join(tmpdir(), 'orchestra-remote-'));
  remotes.push(remote);
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const repo = makeRepo(files);
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'config', 'user.name', 'Test');
  git(repo, 'remote', 'add', 'origin', remote);
  expect((await runCli(['hooks', 'install'], repo)).code).toBe(0);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--no-verify', '-m', 'first');
  return { repo, remote };
}

const push = (repo: string, ...args: string[]) => spawnSync('git', ['push', ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const commit = (repo: string, ...args: string[]) =>
  spawnSync('git', ['commit', ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

// A rule gate (reads files) and a command gate (runs a program): both must judge what is pushed.
const CONFIG = `rules:
  no-bug:
    pattern: BUG
    message: a bug
    files: ["**/*.py"]
gates:
  clean:
    rule: no-bug
  ready:
    run: test -f READY
    inputs: [READY]
hooks:
  pre-push: [clean, ready]
  pre-commit: [clean]
`;

describe.concurrent('hooks judge what git records, not the working tree', () => {
  it('pre-push: a bug committed and fixed only on disk is refused; the remote never gets it', async () => {
    const { repo, remote } = await hooked({ 'orchestra.config.yaml': CONFIG, READY: '', 'app.py': 'x = 1\n' });
    writeFileSync(path.join(repo, 'app.py'), 'x = BUG\n');
    git(repo, 'commit', '-qam', 'the bug', '--no-verify');
    writeFileSync(path.join(repo, 'app.py'), 'x = 1\n'); // fixed, not committed
    const r = push(repo, 'origin', 'main');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /the working tree differs from the pushed commit [0-9a-f]{8} in what clean read \(app\.py\): checking [0-9a-f]{8} in a temporary worktree/,
    );
    expect(r.stdout + r.stderr).toContain('✗ clean');
    expect(() => git(remote, 'rev-parse', 'main')).toThrow();
    // The fix on disk is untouched, and no temporary worktree is left registered.
    expect(readFileSync(path.join(repo, 'app.py'), 'utf8')).toBe('x = 1\n');
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it('pre-push: an uncommitted mess does not block a clean push', async () => {
    const { repo, remote } = await hooked({ 'orchestra.config.yaml': CONFIG, READY: '', 'app.py': 'x = 1\n' });
    writeFileSync(path.join(repo, 'app.py'), 'x = BUG\n');
    rmSync(path.join(repo, 'READY'));
    const r = push(repo, 'origin', 'main');
    expect(r.stdout + r.stderr).toContain('✓ clean');
    expect(r.status).toBe(0);
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(git(repo, 'rev-parse', 'HEAD').trim());
    expect(readFileSync(path.join(repo, 'app.py'), 'utf8')).toBe('x = BUG\n');
  });

  it('pre-push: a clean tree runs in place (no temporary worktree) and a second push replays the cache', async () => {
    const { repo } = await hooked({ 'orchestra.config.yaml': CONFIG, READY: '', 'app.py': 'x = 1\n' });
    const first = push(repo, 'origin', 'main');
    expect(first.status).toBe(0);
    expect(first.stderr).not.toContain('temporary worktree');
    git(repo, 'commit', '-q', '--allow-empty', '--no-verify', '-m', 'again');
    const second = push(repo, 'origin', 'main');
    expect(second.status).toBe(0);
    expect(second.stdout + second.stderr).toContain('◌ clean cached');
    // A change no gate reads keeps the fast path too.
    writeFileSync(path.join(repo, 'notes.txt'), 'scratch\n');
    git(repo, 'commit', '-q', '--allow-empty', '--no-verify', '-m', 'third');
    expect(push(repo, 'origin', 'main').stderr).not.toContain('temporary worktree');
  });

  it('pre-push: a fix staged but not committed does not save a pushed bug, nor does a rename hide it', async () => {
    const { repo, remote } = await hooked({ 'orchestra.config.yaml': CONFIG, READY: '', 'app.py': 'x = 1\n' });
    writeFileSync(path.join(repo, 'app.py'), 'x = BUG\n');
    git(repo, 'commit', '-qam', 'the bug', '--no-verify');
    // Staged: the working tree and the index agree, only HEAD differs.
    writeFileSync(path.join(repo, 'app.py'), 'x = 1\n');
    git(repo, 'add', 'app.py');
    const staged = push(repo, 'origin', 'main');
    expect(staged.stderr).toMatch(/differs from the pushed commit [0-9a-f]{8} in what clean read \(app\.py\)/);
    expect(staged.status).not.toBe(0);
    // Renamed away (staged): the pushed commit still has app.py, which the tree no longer does.
    git(repo, 'checkout', '-q', 'HEAD', '--', 'app.py');
    git(repo, 'mv', 'app.py', 'app.txt');
    const renamed = push(repo, 'origin', 'main');
    expect(renamed.stderr).toMatch(/in what clean read \(.*app\.py.*\)/);
    expect(renamed.status).not.toBe(0);
    expect(() => git(remote, 'rev-parse', 'main')).toThrow();
  });

  it('pre-push: with the config in a subfolder, paths are said relative to it', async () => {
    const remote = mkdtempSync(path.join(tmpdir(), 'orchestra-remote-'));
    remotes.push(remote);
    git(remote, 'init', '-q', '--bare', '-b', 'main');
    const repo = makeRepo({ 'svc/orchestra.config.yaml': CONFIG, 'svc/READY': '', 'svc/app.py': 'x = 1\n' });
    git(repo, 'remote', 'add', 'origin', remote);
    expect((await runCli(['hooks', 'install'], path.join(repo, 'svc'))).code).toBe(0);
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--no-verify', '-m', 'first');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'Test');
    writeFileSync(path.join(repo, 'svc/app.py'), 'x = BUG\n');
    git(repo, 'commit', '-qam', 'the bug', '--no-verify');
    writeFileSync(path.join(repo, 'svc/app.py'), 'x = 1\n');
    const r = push(repo, 'origin', 'main');
    expect(r.stderr).toMatch(/in what clean read \(app\.py\): checking/);
    expect(r.status).not.toBe(0);
    expect(() => git(remote, 'rev-parse', 'main')).toThrow();
  });

  it('check --hook pre-push by hand judges the tree, and an unstaged change is not a cached pass', async () => {
    // No hook installed: the command is run by hand, so git passes no refs and the tree is what is asked about.
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, READY: '', 'app.py': 'x = 1\n' });
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'first');
    expect((await runCli(['check', '--hook', 'pre-push'], repo)).code).toBe(0);
    expect((await runCli(['check', '--hook', 'pre-push'], repo)).stdout).toContain('◌ clean cached');
    writeFileSync(path.join(repo, 'app.py'), 'x = BUG\n');
    const r = await runCli(['check', '--hook', 'pre-push'], repo);
    expect(r.stdout).toContain('✗ clean');
    expect(r.code).toBe(1);
    // Committed, the tree is clean: the bug is known only through the index's listing of tracked files.
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'the bug');
    const committed = await runCli(['check', '--hook', 'pre-push'], repo);
    expect(committed.stdout).toContain('✗ clean');
    expect(committed.code).toBe(1);
  });

  it('pre-push: deleting a branch checks nothing', async () => {
    const { repo, remote } = await hooked({ 'orchestra.config.yaml': CONFIG, READY: '', 'app.py': 'x = 1\n' });
    expect(push(repo, 'origin', 'main').status).toBe(0);
    git(repo, 'push', '-q', '--no-verify', 'origin', 'main:topic');
    rmSync(path.join(repo, 'READY')); // every gate would fail now
    git(repo, 'commit', '-qam', 'break', '--no-verify');
    const r = push(repo, 'origin', ':topic');
    expect(r.stderr).toContain('orchestra: deleting refs/heads/topic pushes no commit: nothing to check');
    expect(r.status).toBe(0);
    expect(() => git(remote, 'rev-parse', '--verify', 'topic')).toThrow();
  });

  it('pre-commit judges the index, and a partially staged file keeps its unstaged part', async () => {
    const { repo } = await hooked({ 'orchestra.config.yaml': CONFIG, READY: '', 'app.py': 'a = 1\nb = 2\n' });
    // Stage a bug, then take it out on disk only: the commit would record the bug.
    writeFileSync(path.join(repo, 'app.py'), 'a = BUG\nb = 2\n');
    git(repo, 'add', 'app.py');
    writeFileSync(path.join(repo, 'app.py'), 'a = 1\nb = 3\n');
    const refused = commit(repo, '-qm', 'staged bug');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('unstaged changes in what clean read (app.py): checking the staged files in a temporary worktree');
    expect(readFileSync(path.join(repo, 'app.py'), 'utf8')).toBe('a = 1\nb = 3\n');
    expect(git(repo, 'diff', '--cached')).toContain('+a = BUG');

    // The reverse: a clean staged half goes through, a messy unstaged half stays unstaged.
    git(repo, 'checkout', '-q', 'HEAD', '--', 'app.py');
    writeFileSync(path.join(repo, 'app.py'), 'a = 1\nb = 2\nc = 3\n');
    git(repo, 'add', 'app.py');
    writeFileSync(path.join(repo, 'app.py'), 'a = 1\nb = 2\nc = 3\nd = BUG\n');
    const ok = commit(repo, '-qm', 'clean half');
    expect(ok.status).toBe(0);
    expect(git(repo, 'show', 'HEAD:app.py')).toBe('a = 1\nb = 2\nc = 3\n');
    expect(readFileSync(path.join(repo, 'app.py'), 'utf8')).toBe('a = 1\nb = 2\nc = 3\nd = BUG\n');
    expect(git(repo, 'status', '--porcelain')).toBe(' M app.py\n');
  });
});
