import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { controlDir, makeRepo, runCli, type CliResult } from '../helpers/repo.js';

// Worktrees that are ready (issue 14): the user's untracked setup copied or borrowed, setup commands run in each new
// worktree (tasks' and the integration tree where the gates run), never committed; a setup failure said as such.
// Repositories outside /tmp, as a user's are: the sandbox's /tmp is private.

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const base = mkdtempSync(path.join(existsSync('/var/tmp') ? '/var/tmp' : homedir(), 'orchestra-worktree-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const branchOf = (r: CliResult) => /branch (orchestra\/[\w-]+)/.exec(r.stdout)?.[1] as string;

/** A Node project whose dependency is a local folder (npm ci installs it offline), .env and node_modules ignored. */
function nodeProject(config: string, agentScript: string, ctl: string): string {
  const repo = makeRepo(
    {
      'package.json': JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { money: 'file:vendor/money' } }),
      'vendor/money/package.json': JSON.stringify({ name: 'money', version: '1.0.0', main: 'index.js' }),
      'vendor/money/index.js': 'module.exports = (n) => `$${n}`;\n',
      '.gitignore': 'node_modules/\n.env\n',
      '.env': 'SECRET=1\n',
      'orchestra.config.yaml': `${config.trimEnd()}\nsandbox: { writable: [${JSON.stringify(ctl)}] }\n`,
      'team.json': JSON.stringify({ agents: [{ id: 'bot', roles: ['dev', 'fixer'], command: ['sh', '-c', agentScript] }] }),
    },
    base,
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline'], { cwd: repo, stdio: 'ignore' });
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  return repo;
}

// The agent needs the dependency and the .env to do its work; the gate needs the dependency.
const USES_SETUP = 'node -e "require(\'money\')" && grep -q SECRET .env && mkdir -p src && echo "module.exports = 1" > src/a.js';
const GATE = `gates:\n  dep:\n    run: node -e "require('money'); require('fs').readFileSync('.env')"\n`;
const PHASE = (extra = '') =>
  `phases:\n  - id: p\n    tasks:\n      - { id: t1, agent: dev, prompt: x, scope: { touch: ["src/**"] } }\n    gates: [dep]\n${extra}`;

describe('ready worktrees', { timeout: 180_000 }, () => {
  it('detected from the lockfile: node_modules borrowed while the lockfile is unchanged, .env copied; neither is ever committed', async () => {
    const ctl = controlDir();
    const repo = nodeProject(`${GATE}${PHASE()}`, USES_SETUP, ctl);
    const plan = await runCli(['plan'], repo);
    expect(plan.stdout).toContain('reuse  node_modules from your tree while package-lock.json is unchanged');
    expect(plan.stdout).toContain('copy   .env');
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('p/t1: setup: node_modules borrowed from your tree (package-lock.json unchanged)');
    expect(r.stdout).toContain('p/dep: setup: node_modules borrowed from your tree');
    const files = git(repo, 'ls-tree', '-r', '--name-only', branchOf(r)).split('\n');
    expect(files).toContain('src/a.js');
    expect(files.filter((f) => f === '.env' || f.startsWith('node_modules'))).toEqual([]);
  });

  it('a task that may change the lockfile gets its own copy of node_modules (not a link, not an install): it adds a dependency, yours is untouched', async () => {
    const ctl = controlDir();
    const config = `${GATE}phases:
  - id: p
    tasks:
      - { id: deps, agent: dev, prompt: x, scope: { touch: ["package.json", "package-lock.json", "vendor/**"] } }
    gates: [dep]
`;
    const agent = `mkdir -p vendor/tax && echo '{"name":"tax","version":"1.0.0"}' > vendor/tax/package.json && echo 'module.exports=0' > vendor/tax/index.js && npm install --offline --no-audit --no-fund ./vendor/tax >/dev/null && node -e "require('tax'); require('money')"`;
    const repo = nodeProject(config, agent, ctl);
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('p/deps: setup: node_modules copied from your tree (package-lock.json unchanged)');
    expect(r.stdout).not.toContain('p/deps: setup: `npm ci');
    expect(git(repo, 'show', `${branchOf(r)}:package.json`)).toContain('"tax"');
    // Your node_modules did not get the task's dependency; nothing of node_modules was committed.
    expect(existsSync(path.join(repo, 'node_modules', 'tax'))).toBe(false);
    expect(
      git(repo, 'ls-tree', '-r', '--name-only', branchOf(r))
        .split('\n')
        .filter((f) => f.startsWith('node_modules')),
    ).toEqual([]);
  });

  it('worktree.setup runs in each new worktree (npm ci, in the sandbox) and again in the integration tree when a lockfile changed', async () => {
    const ctl = controlDir();
    const log = path.join(ctl, 'setups.log');
    // Phase two's task adds a dependency; phase two's gate needs it installed in the integration tree.
    const config = `${GATE}  tax:\n    run: node -e "require('tax')"\nworktree:\n  setup: ["npm ci --offline --no-audit --no-fund", "echo $PWD >> ${log}"]\nphases:
  - id: one
    tasks:
      - { id: code, agent: dev, prompt: x, scope: { touch: ["src/**"] } }
    gates: [dep]
  - id: two
    tasks:
      - { id: deps, agent: dev, prompt: x, scope: { touch: ["package.json", "package-lock.json", "vendor/**"] } }
    gates: [dep, tax]
`;
    const agent = `if [ "$ORCHESTRA_TASK" = deps ]; then mkdir -p vendor/tax && echo '{"name":"tax","version":"1.0.0"}' > vendor/tax/package.json && echo 'module.exports=0' > vendor/tax/index.js && npm install --offline --no-audit --no-fund ./vendor/tax >/dev/null; else ${USES_SETUP}; fi`;
    const repo = nodeProject(config, agent, ctl);
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/two\/deps: setup: `npm ci --offline --no-audit --no-fund` \(worktree\.setup\) \d/);
    const setups = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((d) => path.basename(d));
    // Each task's worktree once; the integration tree before phase one's gate and again before phase two's (package.json changed),
    // once for both of phase two's gates.
    expect(setups.sort()).toEqual(['_integration', '_integration', 'code', 'deps']);
    expect(git(repo, 'show', `${branchOf(r)}:package.json`)).toContain('"tax"');
  });

  it('a setup that fails is reported as the setup (its command, its log), fails the task, and goes to no fix agent', async () => {
    const ctl = controlDir();
    const fixed = path.join(ctl, 'fix-agent-ran');
    const repo = nodeProject(
      `${GATE}worktree:\n  setup: "echo cannot reach the registry >&2; exit 3"\n${PHASE('    fix: { agent: fixer, attempts: 2 }\n')}`,
      `if [ "$ORCHESTRA_ROLE" = fixer ]; then touch ${fixed}; fi; ${USES_SETUP}`,
      ctl,
    );
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /the worktree's setup failed, so nothing ran there: `echo cannot reach the registry >&2; exit 3` \(worktree\.setup\) exited 3 \(log: \.orchestra\/runs\/[\w-]+\/logs\/setup_task_p_t1\.log\)/,
    );
    const logFile = /\(log: ([^)]+)\)/.exec(r.stdout)?.[1] as string;
    expect(readFileSync(path.join(repo, logFile), 'utf8')).toContain('cannot reach the registry');
    expect(existsSync(fixed)).toBe(false);
    const events = readFileSync(path.join(repo, path.dirname(path.dirname(logFile)), 'events.jsonl'), 'utf8');
    expect(events).toContain('"reason":"setup"');
  });

  it('a setup that hangs is stopped at setupTimeout', async () => {
    const ctl = controlDir();
    const repo = nodeProject(`${GATE}worktree:\n  setup: "sleep 30"\n  setupTimeout: 1s\n${PHASE()}`, USES_SETUP, ctl);
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('`sleep 30` (worktree.setup) timed out after 1s');
  });

  it('copies what worktree.copy names and leaves what the branch already has', async () => {
    const ctl = controlDir();
    const repo = nodeProject(
      `${GATE}worktree:\n  copy: [.env, local.json]\n  setup: []\n  link: [node_modules]\n${PHASE()}`,
      `${USES_SETUP} && cat local.json > /dev/null`,
      ctl,
    );
    writeFileSync(path.join(repo, 'local.json'), '{"mine": true}\n');
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(git(repo, 'ls-tree', '-r', '--name-only', branchOf(r))).not.toContain('local.json');
  });
});
