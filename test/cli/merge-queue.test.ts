import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli, type CliResult } from '../helpers/repo.js';

// The merge queue (issue 14): tasks that share a file run side by side and meet on the integration branch one at a
// time, in the order they are listed; a conflict goes back to the task's own agent, lockfiles are made again.

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const branchOf = (r: CliResult) => /branch (orchestra\/[\w-]+)/.exec(r.stdout)?.[1] as string;

const ROUTES = 'module.exports = [\n  "home",\n];\n';
const addRoute = (name: string) => `sed -i 's/"home",/"home",\\n  "${name}",/' routes.js`;

/** Two tasks that each add a file of their own and a route to the shared index; `onConflict` is what the agent does when sent back. */
function routesRepo(onConflict: string, extra = ''): string {
  const agent = [
    'case $ORCHESTRA_TASK in',
    `users) echo u > users.js; ${addRoute('users')};;`,
    `orders) echo o > orders.js; ${addRoute('orders')};;`,
    `*-merge-*) echo "$(cat $ORCHESTRA_PROMPT_FILE)" > /dev/null; ${onConflict};;`,
    'esac',
  ].join(' ');
  const repo = makeRepo({
    'routes.js': ROUTES,
    'orchestra.config.yaml': `phases:
  - id: p
    tasks:
      - { id: users, agent: dev, prompt: "add the users route", scope: { touch: [users.js], shared: [routes.js] } }
      - { id: orders, agent: dev, prompt: "add the orders route", scope: { touch: [orders.js], shared: [routes.js] } }
${extra}`,
    'team.json': JSON.stringify({ agents: [{ id: 'bot', roles: ['dev'], concurrency: 2, command: ['sh', '-c', agent] }] }),
  });
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  return repo;
}

const prompts = (repo: string, r: CliResult): string => {
  const dir = path.join(repo, '.orchestra', 'runs', branchOf(r).slice('orchestra/'.length), 'prompts');
  return readFileSync(path.join(dir, 'task_p_orders_merge1.md'), 'utf8');
};

describe('the merge queue', () => {
  it('shared paths do not keep tasks apart; a conflict goes back to the later task, whose agent resolves it on round 1', async () => {
    const resolve = `printf 'module.exports = [\\n  "home",\\n  "users",\\n  "orders",\\n];\\n' > routes.js`;
    const repo = routesRepo(resolve);
    const plan = await runCli(['plan'], repo);
    expect(plan.stdout).toMatch(/1 {2}p\/users, p\/orders/);
    expect(plan.stdout).toContain('touch orders.js  shared routes.js');
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // In list order: users merges first, orders meets the conflict.
    expect(r.stdout).toContain('p/orders: merge round 1: routes.js conflict with work merged before; back to dev');
    expect(r.stdout).toContain('p/orders: merge round 1: routes.js resolved');
    expect(git(repo, 'show', `${branchOf(r)}:routes.js`)).toBe('module.exports = [\n  "home",\n  "users",\n  "orders",\n];');
    expect(git(repo, 'show', `${branchOf(r)}:users.js`)).toBe('u');
    // The prompt names the file, both sides and the other task.
    const prompt = prompts(repo, r);
    expect(prompt).toContain('- routes.js');
    expect(prompt).toContain('- users: add the users route');
    expect(prompt).toMatch(/<<<<<<< [\s\S]*"orders",[\s\S]*=======[\s\S]*"users",[\s\S]*>>>>>>>/);
    // The round is in the record.
    const events = readFileSync(path.join(repo, '.orchestra', 'runs', branchOf(r).slice('orchestra/'.length), 'events.jsonl'), 'utf8');
    expect(events).toContain('"nodeId":"task:p/orders#merge1"');
    // …and in the report, with the agent's two runs.
    const report = readFileSync(path.join(repo, '.orchestra', 'runs', branchOf(r).slice('orchestra/'.length), 'report.md'), 'utf8');
    expect(report).toContain('## What the agents ran into');
    expect(report).toContain('- p/orders: merge round 1: routes.js resolved');
    expect(report).toMatch(/\| task \| orders \| passed \| bot ×2 \|/);
  });

  it('a conflict the agent cannot resolve fails the task naming the file after merge.attempts rounds; nothing half-merged', async () => {
    const repo = routesRepo('true', 'merge: { attempts: 2 }\n');
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('p/orders: merge round 1: conflict markers left in routes.js');
    expect(r.stdout).toContain('p/orders: merge round 2: conflict markers left in routes.js');
    expect(r.stdout).toMatch(/could not merge into orchestra\/[\w-]+: conflict in routes\.js .*nothing of it was merged/);
    const branch = branchOf(r);
    expect(git(repo, 'show', `${branch}:routes.js`)).not.toContain('<<<<<<<');
    expect(git(repo, 'show', `${branch}:routes.js`)).toContain('"users"');
    expect(() => git(repo, 'show', `${branch}:orders.js`)).toThrow();
  });

  it('merge.attempts: 0 fails a conflict at once', async () => {
    const repo = routesRepo('exit 9', 'merge: { attempts: 0 }\n');
    const r = await runCli(['run'], repo);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('back to dev');
    expect(r.stdout).toMatch(/could not merge into orchestra\/[\w-]+: conflict in routes\.js/);
  });

  it('a lockfile both tasks changed is made again even where git would merge its text cleanly', async () => {
    // Task a edits the first line, task b the last: a textual merge would not conflict, and would be wrong.
    const lock = 'head\n1\n2\n3\n4\n5\n6\ntail\n';
    const agent =
      'touch $ORCHESTRA_TASK.dep && if [ $ORCHESTRA_TASK = a ]; then sed -i 1s/head/a-was-here/ deps.lock; else sed -i s/tail/b-was-here/ deps.lock; fi';
    const repo = makeRepo({
      'deps.lock': lock,
      'orchestra.config.yaml': `phases:
  - id: p
    tasks:
      - { id: a, agent: dev, prompt: a, scope: { touch: [a.dep], shared: [deps.lock] } }
      - { id: b, agent: dev, prompt: b, scope: { touch: [b.dep], shared: [deps.lock] } }
merge:
  regenerate: { "deps.lock": "ls *.dep | sort > deps.lock" }
`,
      'team.json': JSON.stringify({ agents: [{ id: 'bot', roles: ['dev'], concurrency: 2, command: ['sh', '-c', agent] }] }),
    });
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('p/b: merge round 1: deps.lock resolved (deps.lock made again)');
    expect(git(repo, 'show', `${branchOf(r)}:deps.lock`)).toBe('a.dep\nb.dep');
  });

  it('a lockfile that conflicts is taken from the integration branch and made again by merge.regenerate, with no agent', async () => {
    // Each task adds its own file and a line to the "lockfile"; the regenerate command rebuilds it from the files present.
    const repo = makeRepo({
      'deps.lock': 'base\n',
      'orchestra.config.yaml': `phases:
  - id: p
    tasks:
      - { id: a, agent: dev, prompt: a, scope: { touch: [a.dep], shared: [deps.lock] } }
      - { id: b, agent: dev, prompt: b, scope: { touch: [b.dep], shared: [deps.lock] } }
merge:
  regenerate: { "deps.lock": "ls *.dep | sort > deps.lock" }
`,
      'team.json': JSON.stringify({
        agents: [{ id: 'bot', roles: ['dev'], concurrency: 2, command: ['sh', '-c', 'touch $ORCHESTRA_TASK.dep && echo $ORCHESTRA_TASK.dep > deps.lock'] }],
      }),
    });
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
    const r = await runCli(['run'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('p/b: merge round 1: deps.lock resolved (deps.lock made again)');
    expect(r.stdout).not.toContain('back to dev');
    expect(git(repo, 'show', `${branchOf(r)}:deps.lock`)).toBe('a.dep\nb.dep');
  });
});
