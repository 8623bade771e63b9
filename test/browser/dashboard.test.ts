import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate, GATE, release, waitFor } from '../helpers/gates.js';
import { controlDir, makeRepo, ROOT, runCli } from '../helpers/repo.js';
import { spawnServing } from '../helpers/serve.js';
import { browserTestsSkipped, launchChromium } from '../helpers/browser.js';

const AGENT = path.join(ROOT, 'test', 'fixtures', 'agent.mjs');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe.skipIf(browserTestsSkipped())('the dashboard in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the nodes, live agent output, a node turning from running to passed, and a failed gate with its findings', async () => {
    // The test agent (sandboxed where bubblewrap works) waits on a file in the control folder.
    const ctl = controlDir();
    const repo = makeRepo({
      'orchestra.config.yaml': `extends: [hygiene]
gates:
  waits:
    run: [node, ${JSON.stringify(GATE)}, waits, --wait]
  no-todo:
    files: ["src/**"]
phases:
  - id: p
    tasks:
      - id: write
        agent: implementer
        prompt: "@block write\\n@write src/a.py\\nx = 1  # TODO: later\\n@end"
        scope: { touch: ["src/**"] }
    gates: [waits, no-todo]
sandbox: { writable: [${JSON.stringify(ctl)}] }
`,
      'team.json': JSON.stringify({ agents: [{ id: 'coder', command: ['node', AGENT], roles: ['implementer'] }] }),
      'ctl/.keep': '',
    });
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
    const served = await spawnServing(['run', '--ui', '--keep-going'], repo, { AGENT_CTL: ctl, GATE_DIR: ctl });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Once the run ends, run --ui's server goes and the browser logs its refused reconnects (and a request it cut short): expected, not a page error.
    page.on('console', (m) => m.type() === 'error' && !/net::ERR_CONNECTION_(REFUSED|RESET)/.test(m.text()) && errors.push(m.text()));
    try {
      await page.goto(served.url);
      const node = (id: string, state?: string) => page.locator(`g.node[data-node-id="${id}"]${state ? `[data-state="${state}"]` : ''}`);
      await expect.poll(() => page.locator('g.node').count()).toBe(4);
      for (const id of ['task:p/write', 'gate:p/waits', 'gate:p/no-todo', 'checkpoint:p']) expect(await node(id).count()).toBe(1);

      // The agent is at work: its node is running and its output shows as it prints.
      await waitFor('the agent to start', () => existsSync(path.join(ctl, 'write.started')));
      await node('task:p/write', 'running').waitFor();
      await node('task:p/write').click();
      await expect.poll(() => page.locator('#output').textContent()).toContain('agent: working on write in phase p');
      writeFileSync(path.join(ctl, 'write.release'), '');

      // The waiting gate turns from running to passed while the page is open.
      await node('gate:p/waits', 'running').waitFor();
      await node('gate:p/no-todo', 'failed').waitFor();
      release(ctl, 'waits');
      await node('gate:p/waits', 'passed').waitFor();

      // The failed gate shows its findings.
      await node('gate:p/no-todo').click();
      const finding = page.locator('#node-findings .finding');
      await expect.poll(() => finding.count()).toBe(1);
      expect(await finding.textContent()).toMatch(/src\/a\.py:1:\d+ error .*TODO/);
      expect(await page.locator('#findings .finding').count()).toBe(1);
      await page.locator('#run-state[data-state="failed"]').waitFor();
      expect(await node('checkpoint:p').getAttribute('data-state')).toBe('skipped');
      expect(errors).toEqual([]);
      expect(await served.exited).toBe(1);
    } finally {
      await page.close();
      served.child.kill('SIGINT');
    }
  });

  it('reconnects after the server restarts and shows what happened meanwhile, each event once', async () => {
    const dir = makeRepo({ 'orchestra.config.yaml': `gates:\n${gate('first')}${gate('slow', ['--wait'], '    needs: [first]\n')}`, 'ctl/.keep': '' });
    const ctl = path.join(dir, 'ctl');
    const check = runCli(['check'], dir, { GATE_DIR: ctl });
    await waitFor('slow to start', () => existsSync(path.join(ctl, 'slow.pid')));
    const served = await spawnServing(['serve'], dir);
    const page = await browser.newPage();
    try {
      await page.goto(served.url);
      const node = (id: string, state: string) => page.locator(`g.node[data-node-id="${id}"][data-state="${state}"]`);
      await node('gate:slow', 'running').waitFor();
      await node('gate:first', 'passed').waitFor();
      // The server goes; the run finishes while nobody serves it; the server comes back on the same port.
      served.child.kill('SIGINT');
      await served.exited;
      await page.locator('#connection:not(.live)').waitFor();
      release(ctl, 'slow');
      expect((await check).code).toBe(0);
      const again = await spawnServing(['serve', '--port', new URL(served.url).port], dir);
      try {
        await node('gate:slow', 'passed').waitFor();
        await page.locator('#run-state[data-state="held"]').waitFor();
        await page.locator('#connection.live').waitFor();
        // Last-Event-ID: nothing replayed twice (a second node-started would draw a second bar).
        expect(await page.locator('#timeline .span').count()).toBe(2);
      } finally {
        again.child.kill('SIGINT');
        await again.exited;
      }
    } finally {
      await page.close();
      served.child.kill('SIGINT');
    }
  });

  it("shows a merge-queue round on the task it belongs to: the round's notes and its own log", async () => {
    // Two tasks add a route to one file: the later one meets the conflict and its agent (a shell script) resolves it.
    const addRoute = (name: string) => `sed -i 's/"home",/"home",\\n  "${name}",/' routes.js`;
    const agent = [
      'case $ORCHESTRA_TASK in',
      `users) echo u > users.js; ${addRoute('users')};;`,
      `orders) echo o > orders.js; ${addRoute('orders')};;`,
      `*-merge-*) echo resolving the routes; printf 'module.exports = [\\n  "home",\\n  "users",\\n  "orders",\\n];\\n' > routes.js;;`,
      'esac',
    ].join(' ');
    const dir = makeRepo({
      'routes.js': 'module.exports = [\n  "home",\n];\n',
      'orchestra.config.yaml': `phases:
  - id: p
    tasks:
      - { id: users, agent: dev, prompt: "add the users route", scope: { touch: [users.js], shared: [routes.js] } }
      - { id: orders, agent: dev, prompt: "add the orders route", scope: { touch: [orders.js], shared: [routes.js] } }
`,
      'team.json': JSON.stringify({ agents: [{ id: 'bot', roles: ['dev'], concurrency: 2, command: ['sh', '-c', agent] }] }),
    });
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
    const r = await runCli(['run'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const served = await spawnServing(['serve'], dir);
    const page = await browser.newPage();
    try {
      await page.goto(served.url);
      await page.locator('g.node[data-node-id="task:p/orders"][data-state="passed"]').click();
      await expect.poll(() => page.locator('#notes').textContent()).toContain('merge round 1: routes.js conflict with work merged before; back to dev');
      expect(await page.locator('#notes').textContent()).toContain('merge round 1: routes.js resolved');
      // The round's own log, beside the task's under the raw output.
      await page.locator('#raw summary').click();
      const round = page.locator('button.log-pick', { hasText: 'merge round 1' });
      await round.click();
      await expect.poll(() => page.locator('#output').textContent()).toContain('resolving the routes');
      // The task that merged first met no conflict: no round on it.
      await page.locator('g.node[data-node-id="task:p/users"]').click();
      await expect.poll(() => page.locator('#detail h3').first().textContent()).toContain('users');
      expect(await page.locator('#notes').textContent()).not.toContain('merge round');
    } finally {
      await page.close();
      served.child.kill('SIGINT');
      await served.exited;
    }
  });

  it('opened with no run named, it follows the latest: a run started later shows up by itself', async () => {
    const dir = makeRepo({ 'orchestra.config.yaml': `gates:\n${gate('later', ['--wait'])}`, 'ctl/.keep': '' });
    const ctl = path.join(dir, 'ctl');
    const served = await spawnServing(['serve'], dir);
    const page = await browser.newPage();
    try {
      await page.goto(served.url);
      await expect.poll(() => page.locator('#run-state').textContent()).toBe('no runs yet');
      const check = runCli(['check'], dir, { GATE_DIR: ctl });
      await page.locator('g.node[data-node-id="gate:later"][data-state="running"]').waitFor();
      release(ctl, 'later');
      await page.locator('g.node[data-node-id="gate:later"][data-state="passed"]').waitFor();
      expect((await check).code).toBe(0);
    } finally {
      await page.close();
      served.child.kill('SIGINT');
      await served.exited;
    }
  });
});
