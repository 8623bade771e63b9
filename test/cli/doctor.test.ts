import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentClis } from '../fixtures/model-server/clis.js';
import { makeRepo, runCli, sandboxWorks } from '../helpers/repo.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

const CONFIG = `gates:
  lint:
    run: [no-such-linter-xyz, check, .]
  unit:
    run: node --version
phases:
  - id: p
    tasks:
      - { id: t, agent: implementer, prompt: "write a.txt", scope: { touch: ["a.txt"] } }
`;

const team = (agent: Record<string, unknown>) => JSON.stringify({ agents: [{ id: 'claude', use: 'claude-code', roles: ['implementer'], ...agent }] });

/** A private HOME, so that no login of this machine's user is seen. */
function privateHome(repo: string): Record<string, string> {
  const home = path.join(repo, '..', `${path.basename(repo)}-home`);
  mkdirSync(home, { recursive: true });
  return { HOME: home, ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: '', CLAUDE_CODE_OAUTH_TOKEN: '' };
}

describe.concurrent('orchestra doctor', () => {
  it('a claude-code agent whose bin is not there: exit 1, and the line says what to do; a gate whose tool is missing is named', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': team({ bin: './nope' }) });
    const r = await runCli(['doctor'], repo, privateHome(repo));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^claude +cli +missing +no executable file \.\/nope$/m);
    expect(r.stdout).toContain(
      "→ 'bin: ./nope' in team.json names no CLI: point it at the claude-code CLI, or install it (npm install -g @anthropic-ai/claude-code) and remove 'bin'",
    );
    expect(r.stdout).toMatch(/^gate lint +tool +missing +'no-such-linter-xyz' is not installed or not on PATH$/m);
    expect(r.stdout).toContain('→ install it, or set enabled: false on gate lint');
    expect(r.stdout).toMatch(/^gate unit +tool +ok +node: \//m);
    expect(r.stdout).toContain('2 missing');
  });

  it('reports the sandbox: missing bubblewrap is a warning under auto and a failure under required, with how to fix it', async () => {
    const noBwrap = { ORCHESTRA_BWRAP: '/nonexistent/bwrap' };
    const auto = await runCli(['doctor'], makeRepo({ 'orchestra.config.yaml': 'gates:\n  unit:\n    run: node --version\n' }), noBwrap);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toMatch(/^sandbox +sandbox +unknown +bubblewrap is not installed \(no \/nonexistent\/bwrap\) \(sandbox: auto\)$/m);
    expect(auto.stdout).toContain('→ install it: apt-get install bubblewrap');
    const required = await runCli(['doctor'], makeRepo({ 'orchestra.config.yaml': 'gates:\n  unit:\n    run: node --version\nsandbox: required\n' }), noBwrap);
    expect(required.code).toBe(1);
    expect(required.stdout).toMatch(/^sandbox +sandbox +missing +bubblewrap is not installed/m);
  });

  it('finds the real Claude Code with its version, its flags and its login (--json)', async () => {
    const clis = await agentClis();
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  unit:\n    run: node --version\n', 'team.json': team({ bin: clis.claude }) });
    const r = await runCli(['doctor', '--json'], repo, { ...privateHome(repo), ANTHROPIC_API_KEY: 'x' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ agent?: string; gate?: string; sandbox?: string; check: string; ok: unknown; detail: string }>;
    expect(rows.map((x) => [x.agent ?? x.gate ?? x.sandbox, x.check, x.ok])).toEqual([
      ['claude', 'cli', true],
      ['claude', 'flags', true],
      ['claude', 'login', true],
      ['claude', 'trust', true],
      ['unit', 'tool', true],
      ['auto', 'sandbox', sandboxWorks() ? true : 'unknown'],
    ]);
    expect(rows[0]?.detail).toBe(`${clis.claude} (2.1.197 (Claude Code))`);
    expect(rows[1]?.detail).toBe('accepts --output-format --verbose --permission-mode');
    expect(rows[2]?.detail).toContain('claude auth status: logged in');

    // Without a key and with an empty HOME, the CLI itself says it is not logged in: exit 1 with how to log in.
    const out = await runCli(['doctor'], repo, privateHome(repo));
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^claude +login +missing +claude auth status: not logged in$/m);
    expect(out.stdout).toContain('→ run `claude` and /login once, or set ANTHROPIC_API_KEY');
  }, 180_000);

  it('a broken config is exit 2, as for every command', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates: [', 'team.json': team({}) });
    const r = await runCli(['doctor'], repo);
    expect(r.code).toBe(2);
  });
});

describe.concurrent('orchestra run checks its agents first', () => {
  function committed(teamJson: string): string {
    const repo = makeRepo({ 'orchestra.config.yaml': CONFIG.replace(/gates:[\s\S]*?phases:/, 'phases:'), 'team.json': teamJson });
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
    return repo;
  }

  it('refuses with exit 2 and the doctor words when a CLI is missing, before any branch or worktree', async () => {
    const repo = committed(team({ bin: './nope' }));
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^claude +cli +missing +no executable file \.\/nope$/m);
    expect(r.stderr).toContain("'bin: ./nope' in team.json names no CLI");
    expect(r.stderr).toContain('orchestra run: not started');
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/orchestra/')).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(existsSync(path.join(repo, '.orchestra', 'worktrees'))).toBe(false);
    // Only what loading the config leaves (its parse cache): no run, no lock, no worktree.
    expect(readdirSync(path.join(repo, '.orchestra')).filter((f) => f !== 'cache' && f !== '.gitignore')).toEqual([]);
  });

  it('an agent nobody names is not checked; --no-preflight starts anyway', async () => {
    const teamJson = JSON.stringify({
      agents: [
        { id: 'coder', command: ['sh', '-c', 'echo hi > a.txt'], roles: ['implementer'] },
        { id: 'idle', use: 'claude-code', bin: './nope', roles: ['reviewer'] },
      ],
    });
    const repo = committed(teamJson);
    const r = await runCli(['run'], repo);
    expect(r.stderr).not.toContain('not started');
    expect(r.code).toBe(0);

    const missing = committed(team({ bin: './nope' }));
    const forced = await runCli(['run', '--no-preflight'], missing);
    expect(forced.stderr).not.toContain('not started');
    expect(forced.code).toBe(1);
    expect(git(missing, 'for-each-ref', '--format=%(refname)', 'refs/heads/orchestra/')).not.toBe('');
  });
});
