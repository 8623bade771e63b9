import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli, type CliResult } from '../helpers/repo.js';

// `orchestra apply` on a branch that moved during the run (issue 14): the merge is made in orchestra's worktree,
// a conflict goes to the agent of the task whose work it is, lockfiles are made again, the run's gates judge the
// result, and the user's branch only fast-forwards to a merge that resolved and passed.

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const commit = (cwd: string, message: string) => {
  git(cwd, 'add', '-A');
  git(cwd, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', message);
};
const runIdOf = (r: CliResult) => (/branch orchestra\/([\w.-]+)/.exec(r.stdout)?.[1] ?? '') as string;
const events = (repo: string, runId: string) => readFileSync(path.join(repo, '.orchestra', 'runs', runId, 'events.jsonl'), 'utf8');

/** A run whose one task adds the orders route; `onConflict` is what its agent does when apply sends it back. */
async function ranRepo(onConflict: string, extra = ''): Promise<{ repo: string; runId: string }> {
  const agent = [
    'case $ORCHESTRA_TASK in',
    `orders) echo o > orders.js; sed -i 's/"home",/"home",\\n  "orders",/' routes.js;;`,
    `apply-merge-*) ${onConflict};;`,
    'esac',
  ].join(' ');
  const repo = makeRepo({
    'routes.js': 'module.exports = [\n  "home",\n];\n',
    'orchestra.config.yaml': `gates:
  routes:
    run: [node, -e, "const r = require('./routes.js'); if (r.includes('broken')) process.exit(1)"]
phases:
  - id: p
    gates: [routes]
    tasks:
      - { id: orders, agent: dev, prompt: "add the orders route", scope: { touch: [orders.js, routes.js] } }
${extra}`,
    'team.json': JSON.stringify({ agents: [{ id: 'bot', roles: ['dev'], command: ['sh', '-c', agent] }] }),
  });
  commit(repo, 'start');
  const r = await runCli(['run'], repo);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return { repo, runId: runIdOf(r) };
}

/** The user's own commit, made while the run worked, on the same line of routes.js. */
function userAddsRoute(repo: string): string {
  writeFileSync(path.join(repo, 'routes.js'), 'module.exports = [\n  "home",\n  "mine",\n];\n');
  commit(repo, 'add my route');
  return git(repo, 'rev-parse', 'HEAD');
}

const BOTH = `printf 'module.exports = [\\n  "home",\\n  "mine",\\n  "orders",\\n];\\n' > routes.js`;

describe('orchestra apply after the branch moved', () => {
  it("a conflict goes to the task's agent, is resolved on round 1, passes the gates, and the branch fast-forwards to it", async () => {
    const { repo, runId } = await ranRepo(BOTH);
    const mine = userAddsRoute(repo);
    const r = await runCli(['apply'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain(`main moved since run ${runId}; routes.js conflict`);
    expect(r.stdout).toContain(`merged orchestra/${runId} into main (routes.js resolved`);
    expect(readFileSync(path.join(repo, 'routes.js'), 'utf8')).toBe('module.exports = [\n  "home",\n  "mine",\n  "orders",\n];\n');
    expect(readFileSync(path.join(repo, 'orders.js'), 'utf8')).toBe('o\n');
    // Your commit is kept, under a merge commit; your tree is clean.
    expect(git(repo, 'merge-base', '--is-ancestor', mine, 'HEAD')).toBe('');
    expect(git(repo, 'rev-list', '--parents', '-n', '1', 'HEAD').split(' ')).toHaveLength(3);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    // The prompt named the file, both sides and the user's commit.
    const promptDir = path.join(repo, '.orchestra', 'runs', runId, 'prompts');
    const prompt = readFileSync(path.join(promptDir, readdirSync(promptDir).find((f) => f.includes('merge1')) ?? 'none'), 'utf8');
    expect(prompt).toContain('- routes.js');
    expect(prompt).toContain('- add my route');
    expect(prompt).toContain('your task orders');
    expect(prompt).toMatch(/<<<<<<< [\s\S]*"mine",[\s\S]*=======[\s\S]*"orders",[\s\S]*>>>>>>>/);
    // The round and the gate are in the run's record; orchestra's worktree is gone.
    const record = events(repo, runId);
    expect(record).toContain('"nodeId":"apply#merge1"');
    expect(record).toContain('merge round 1: routes.js changed on main too; to dev (task orders)');
    expect(record).toMatch(/"type":"node-finished","ts":\d+,"nodeId":"apply#routes","status":"passed"/);
    expect(existsSync(path.join(repo, '.orchestra', 'worktrees', runId, 'apply'))).toBe(false);
    // The commands that read the record read it with the apply appended; the round has its own log.
    const status = await runCli(['status', runId], repo, { NO_COLOR: '1' });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/passed +task +p\/orders/);
    const logs = await runCli(['logs', 'apply#merge1', '--run', runId, '--raw'], repo);
    expect(logs.code, logs.stderr).toBe(0);
    expect((await runCli(['report', runId], repo)).code).toBe(0);
  });

  it('an agent that cannot resolve: after merge.attempts rounds apply fails naming the file, and nothing changed', async () => {
    const { repo, runId } = await ranRepo('true', 'merge: { attempts: 2 }\n');
    const mine = userAddsRoute(repo);
    const r = await runCli(['apply'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`run ${runId} was not applied: conflict in routes.js`);
    expect(r.stderr).toContain('conflict markers left in routes.js');
    expect(r.stderr).toContain('main and your working tree did not change');
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(mine);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(events(repo, runId)).toContain('"nodeId":"apply#merge2"');
    expect(readdirSync(path.join(repo, '.orchestra', 'worktrees', runId))).not.toContain('apply');
  });

  it("a resolution that fails the run's gates is not applied", async () => {
    const broken = `printf 'module.exports = [\\n  "home",\\n  "mine",\\n  "orders",\\n  "broken",\\n];\\n' > routes.js`;
    const { repo } = await ranRepo(broken);
    const mine = userAddsRoute(repo);
    const r = await runCli(['apply'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the gate routes fails on the merged work');
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(mine);
    expect(readFileSync(path.join(repo, 'routes.js'), 'utf8')).not.toContain('orders');
  });

  it('an agent that changes more than the conflicting files is not applied (apply checks no task scope after it)', async () => {
    const { repo, runId } = await ranRepo(`${BOTH}; echo sneaky >> orders.js; echo new > extra.js`, 'merge: { attempts: 1 }\n');
    const mine = userAddsRoute(repo);
    const r = await runCli(['apply'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`run ${runId} was not applied`);
    expect(r.stderr).toContain('the agent changed files beyond the conflicts: extra.js, orders.js');
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(mine);
  });

  it("an untracked file of yours where the run adds one: merge and rebase both stop with git's reason, exit 1, nothing changed", async () => {
    const { repo, runId } = await ranRepo(BOTH);
    writeFileSync(path.join(repo, 'orders.js'), 'mine, not committed\n');
    const head = git(repo, 'rev-parse', 'HEAD');
    for (const args of [['apply'], ['apply', '--rebase']]) {
      const r = await runCli(args, repo);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        args.length === 1 ? `the merge of orchestra/${runId} stopped; nothing changed` : 'could not be moved to the replayed run; nothing changed',
      );
      expect(r.stderr).toContain('orders.js');
      expect(r.stderr).not.toContain('internal error');
      expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
      expect(readFileSync(path.join(repo, 'orders.js'), 'utf8')).toBe('mine, not committed\n');
    }
  });

  it('a run whose branch was deleted (orchestra clean after a merge) is exit 2 naming the branch, not an internal error', async () => {
    const { repo, runId } = await ranRepo(BOTH);
    git(repo, 'branch', '-D', `orchestra/${runId}`);
    const r = await runCli(['apply', runId], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`run ${runId}'s branch orchestra/${runId} no longer exists`);
    expect(r.stderr).not.toContain('internal error');
  });

  it('--rebase: the conflicting commit stops the replay, its agent resolves it, and your branch gets a line of history', async () => {
    const { repo, runId } = await ranRepo(BOTH);
    const mine = userAddsRoute(repo);
    const r = await runCli(['apply', '--rebase'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`rebased orchestra/${runId} onto main (routes.js resolved`);
    expect(readFileSync(path.join(repo, 'routes.js'), 'utf8')).toBe('module.exports = [\n  "home",\n  "mine",\n  "orders",\n];\n');
    expect(git(repo, 'merge-base', '--is-ancestor', mine, 'HEAD')).toBe('');
    expect(git(repo, 'rev-list', '--merges', `${mine}..HEAD`)).toBe('');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const record = events(repo, runId);
    expect(record).toContain('"nodeId":"apply#merge1"');
    expect(record).toMatch(/routes\.js changed on main too, replaying \\"[^"\\]+\\"; to dev/);
  });

  it('--rebase that its agent cannot resolve: the replay is aborted and nothing changed', async () => {
    const { repo, runId } = await ranRepo('true');
    const mine = userAddsRoute(repo);
    const r = await runCli(['apply', '--rebase'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`run ${runId} was not applied: conflict in routes.js (conflict markers left in routes.js)`);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(mine);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('a lockfile both sides changed is made again by merge.regenerate, with no agent', async () => {
    const agent = 'echo o > orders.dep && echo orders > deps.lock';
    const repo = makeRepo({
      'deps.lock': 'base\n',
      'orchestra.config.yaml': `phases:
  - id: p
    tasks:
      - { id: orders, agent: dev, prompt: orders, scope: { touch: [orders.dep, deps.lock] } }
merge:
  regenerate: { "deps.lock": "ls *.dep | sort > deps.lock" }
`,
      'team.json': JSON.stringify({ agents: [{ id: 'bot', roles: ['dev'], command: ['sh', '-c', agent] }] }),
    });
    commit(repo, 'start');
    const run = await runCli(['run'], repo);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    writeFileSync(path.join(repo, 'mine.dep'), 'm\n');
    writeFileSync(path.join(repo, 'deps.lock'), 'mine\n');
    commit(repo, 'my dependency');
    const r = await runCli(['apply'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('deps.lock resolved');
    expect(readFileSync(path.join(repo, 'deps.lock'), 'utf8')).toBe('mine.dep\norders.dep\n');
    expect(events(repo, runIdOf(run))).not.toContain('apply#merge1');
  });
});
