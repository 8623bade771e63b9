// The dashboard as a monitor of agents, in Debian's Chromium: a real Claude Code task's transcript (against the
// scripted model server), a two-phase graph that fits 1280×800, a gate's findings history after a fix round, and an
// alert while an agent's turn is held open. Each test saves a screenshot for the README (docs/dashboard-*.png) when
// ORCHESTRA_SCREENSHOTS names a folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentClis, type AgentClis } from '../fixtures/model-server/clis.js';
import { claude, startModelServer, turn, usage, when, type ModelServer, type Scenario, type TurnContext } from '../fixtures/model-server/index.js';
import { waitFor } from '../helpers/gates.js';
import { controlDir, makeRepo, ROOT, runCli } from '../helpers/repo.js';
import { spawnServing, type Served } from '../helpers/serve.js';
import { claudeEnv } from '../helpers/real-agents.js';
import { browserTestsSkipped, launchChromium } from '../helpers/browser.js';

const SHOTS = process.env.ORCHESTRA_SCREENSHOTS;

const AGENT = path.join(ROOT, 'test', 'fixtures', 'agent.mjs');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const commit = (dir: string) => {
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
};
const and =
  (...ms: Array<(c: TurnContext) => boolean>) =>
  (c: TurnContext) =>
    ms.every((m) => m(c));

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A private HOME and TMPDIR for Claude Code, and its team entry against the model server. */
function claudeTeam(m: ModelServer, clis: AgentClis): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'orchestra-monitor-home-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  for (const d of ['home', 'tmp']) mkdirSync(path.join(root, d));
  const agent = {
    id: 'claude',
    use: 'claude-code',
    bin: clis.claude,
    roles: ['implementer'],
    timeout: '2m',
    idleTimeout: '1m',
    env: claudeEnv(m.url, path.join(root, 'home'), path.join(root, 'tmp')),
  };
  return JSON.stringify({ agents: [agent] });
}

async function modelServer(scenario: Scenario): Promise<ModelServer> {
  const m = await startModelServer(scenario);
  cleanups.push(() => m.close());
  return m;
}

async function serve(args: string[], dir: string, env: Record<string, string> = {}): Promise<Served> {
  const served = await spawnServing(args, dir, env);
  cleanups.push(async () => {
    served.child.kill('SIGINT');
    await served.exited;
  });
  return served;
}

/** A screenshot of the page (or of one part of it) for the README. */
async function shot(page: Page, name: string, part?: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `dashboard-${name}.png`);
  await (part ? page.locator(part).screenshot({ path: file }) : page.screenshot({ path: file }));
}

describe.skipIf(browserTestsSkipped())('the dashboard as a monitor of agents', () => {
  let browser: Browser;
  let clis: AgentClis;
  beforeAll(async () => {
    browser = await launchChromium();
    // A failed install fails the tests here with npm's output (no skipping).
    clis = await agentClis();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    cleanups.push(() => page.close());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/net::ERR_CONNECTION_(REFUSED|RESET)/.test(m.text()) && errors.push(m.text()));
    await page.goto(url);
    return { page, errors };
  }

  it(
    'shows a real Claude Code task as a transcript: its Write and Edit as diffs, its final answer, tokens and cost; orchestra logs prints the same',
    { timeout: 240_000 },
    async () => {
      const m = await modelServer({
        turns: [
          turn.tools(claude.write('notes.md', 'alpha\nbeta\n'), {
            api: 'anthropic',
            usage: usage(1000, 100),
            match: and(when.userSays('Keep notes'), when.noToolResults()),
          }),
          turn.tools(claude.edit('notes.md', 'beta', 'gamma'), {
            api: 'anthropic',
            usage: usage(1100, 60),
            match: when.toolResultHas('File created successfully'),
          }),
          turn.text('Wrote notes.md, then changed beta to gamma.', { api: 'anthropic', usage: usage(1200, 20), match: when.toolResultHas('has been updated') }),
        ],
      });
      const dir = makeRepo({
        'orchestra.config.yaml': `phases:\n  - id: p\n    tasks:\n      - id: notes\n        agent: claude\n        prompt: "Keep notes in notes.md."\n        scope: { touch: ["notes.md"] }\n`,
        'team.json': claudeTeam(m, clis),
      });
      commit(dir);
      const r = await runCli(['run'], dir);
      expect(r.code, r.stderr + r.stdout).toBe(0);

      // The terminal: the transcript by default, the bytes with --raw, the events with --events.
      const logs = await runCli(['logs', 'notes'], dir, { NO_COLOR: '1' });
      expect(logs.code).toBe(0);
      expect(logs.stdout).toMatch(/✓ Write \S*notes\.md/);
      expect(logs.stdout).toContain('    +alpha\n    +beta\n');
      expect(logs.stdout).toMatch(/✓ Edit \S*notes\.md/);
      expect(logs.stdout).toContain('    -beta\n    +gamma\n');
      expect(logs.stdout).toContain('final answer: Wrote notes.md, then changed beta to gamma.');
      expect(logs.stdout).toMatch(/done in [\d.]+m?s · 3300 in \/ 180 out tokens · \$0\.\d{4}/);
      expect(logs.stdout).not.toContain('"type":"result"');
      expect((await runCli(['logs', 'notes', '--raw'], dir)).stdout).toContain('"type":"result"');
      expect((await runCli(['logs', 'notes', '--events'], dir)).stdout).toContain('"kind":"tool-use","name":"Edit"');

      // The page: the same transcript, the raw stream one click away.
      const served = await serve(['serve'], dir);
      const { page, errors } = await open(served.url);
      await page.locator('g.node[data-node-id="task:p/notes"][data-state="passed"]').click();
      const transcript = page.locator('#transcript');
      await transcript.locator('.attempt').waitFor();
      const write = transcript.locator('.tool[data-tool="Write"]');
      expect(await write.textContent()).toMatch(/✓ Write \S*notes\.md/);
      const diffs = transcript.locator('pre.diff');
      expect(await diffs.nth(0).textContent()).toBe('+alpha\n+beta\n');
      expect(await diffs.nth(1).textContent()).toBe('-beta\n+gamma\n');
      expect(await transcript.locator('.tool[data-tool="Edit"]').textContent()).toMatch(/✓ Edit \S*notes\.md/);
      expect(await transcript.locator('.final').textContent()).toBe('Final answerWrote notes.md, then changed beta to gamma.');
      expect(await transcript.locator('.attempt-foot').textContent()).toMatch(/^done in .* · 3,300 in \/ 180 out tokens · \$0\.\d{4}$/);
      // Raw output: closed, and holding the CLI's stream-json once opened.
      expect(await page.locator('#output').isVisible()).toBe(false);
      await page.locator('#raw summary').click();
      await expect.poll(() => page.locator('#output').textContent()).toContain('"type":"result"');
      await page.locator('#raw summary').click();
      await shot(page, 'transcript', '#detail');
      expect(errors).toEqual([]);
    },
  );

  it('fits a two-phase graph into 1280×800: the last node is in sight and clickable, and a phase folds and unfolds', { timeout: 120_000 }, async () => {
    const task = (p: string, i: number) =>
      `      - { id: ${p}-${i}, agent: implementer, prompt: "@write ${p}/f${i}.txt\\n${i}\\n@end", scope: { touch: ["${p}/f${i}.txt"] } }\n`;
    const phase = (p: string) => `  - id: ${p}\n    tasks:\n${[1, 2, 3, 4].map((i) => task(p, i)).join('')}    gates: [has-files, again]\n`;
    const config = (again: string) =>
      `gates:\n  has-files:\n    run: "true"\n  again:\n    run: "${again}"\n    needs: [has-files]\nphases:\n${phase('models')}${phase('api')}`;
    const dir = makeRepo({
      'orchestra.config.yaml': config('false'),
      'team.json': JSON.stringify({ agents: [{ id: 'coder', command: ['node', AGENT], roles: ['implementer'], concurrency: 2 }] }),
    });
    commit(dir);
    // A first run fails at the first phase's gate (for the comparison below); the second holds.
    const failed = await runCli(['run'], dir);
    expect(failed.code, failed.stderr + failed.stdout).toBe(1);
    writeFileSync(path.join(dir, 'orchestra.config.yaml'), config('true'));
    git(dir, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qam', 'the gate holds');
    const r = await runCli(['run'], dir);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const served = await serve(['serve'], dir);
    const { page, errors } = await open(served.url);
    const last = page.locator('g.node[data-node-id="checkpoint:api"]');
    await last.waitFor();
    await page.locator('#run-state[data-state="held"]').waitFor();
    // In the viewport and left of the detail panel (the old page drew it under the panel).
    const box = await last.boundingBox();
    const detail = await page.locator('#detail').boundingBox();
    expect(box && detail).toBeTruthy();
    expect(box!.x + box!.width).toBeLessThanOrEqual(detail!.x);
    expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    expect(box!.y).toBeGreaterThanOrEqual(0);
    // Clickable: Chromium's hit test finds the node there, not something over it.
    await last.click();
    await expect.poll(() => page.locator('#detail h3').first().textContent()).toBe('checkpoint api');
    await shot(page, 'graph', '#graph-pane');

    // A folded phase is its header with a summary; unfolded, its nodes are back.
    const fold = page.locator('g.band-head[data-phase="models"]');
    expect(await fold.locator('text.band-summary').textContent()).toBe('7 passed');
    await fold.click();
    await expect.poll(() => page.locator('g.node[data-node-id="task:models/models-1"]').count()).toBe(0);
    expect(await page.locator('g.node[data-node-id="checkpoint:api"]').count()).toBe(1);
    await page.locator('g.band-head[data-phase="models"]').click();
    await expect.poll(() => page.locator('g.node[data-node-id="task:models/models-1"]').count()).toBe(1);
    // Zoomed in until the last node is out of sight; chosen from the keyboard, it is brought back into sight.
    const pane = (await page.locator('#dag').boundingBox())!;
    const inPane = async () => {
      const b = await page.locator('g.node[data-node-id="checkpoint:api"]').boundingBox();
      return !!b && b.x >= pane.x && b.y >= pane.y && b.x + b.width <= pane.x + pane.width && b.y + b.height <= pane.y + pane.height;
    };
    for (let i = 0; i < 3; i++) await page.locator('#zoom-in').click();
    expect(await inPane()).toBe(false);
    await page.locator('g.node[data-node-id="checkpoint:api"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(inPane).toBe(true);
    await page.locator('#zoom-fit').click();
    await expect.poll(inPane).toBe(true);

    // Compared with the failed run: the gate that failed and the phase that never ran are the changes; times and costs beside.
    const picker = page.locator('#compare-picker');
    const other = await picker.locator('option').nth(1).getAttribute('value');
    await picker.selectOption(other!);
    const row = (id: string) => page.locator(`table.compare tr[data-node-id="${id}"]`);
    await row('gate:models/again').waitFor();
    expect(await row('gate:models/again').getAttribute('class')).toBe('changed');
    expect(await row('gate:models/again').locator('td').nth(1).textContent()).toMatch(/^failed · \d+ ms$/);
    expect(await row('gate:models/again').locator('td').nth(2).textContent()).toMatch(/^passed · \d+ ms$/);
    expect(await row('task:api/api-1').getAttribute('class')).toBe('changed');
    expect(await row('task:models/models-1').getAttribute('class')).toBe('');
    // The gate and checkpoint of models, and all seven of api.
    expect(await page.locator('table.compare tr.changed').count()).toBe(9);
    expect(errors).toEqual([]);
  });

  it('shows what a gate found, which fix round by which agent made it go, the diff, and the learned fix', { timeout: 120_000 }, async () => {
    const ctl = controlDir();
    const dir = makeRepo({
      'orchestra.config.yaml': `extends: [hygiene]
gates:
  no-todo:
    files: ["src/**"]
phases:
  - id: p
    tasks:
      - id: write
        agent: implementer
        prompt: "@write src/a.py\\nx = 1  # TODO: later\\n@end"
        scope: { touch: ["src/**"] }
    gates: [no-todo]
    fix: { agent: fix-executor, attempts: 2 }
sandbox: { writable: [${JSON.stringify(ctl)}] }
`,
      'team.json': JSON.stringify({
        agents: [
          { id: 'coder', command: ['node', AGENT], roles: ['implementer'] },
          { id: 'fixer', command: ['node', AGENT, '--fix', 'src/a.py', '  # TODO: later', ''], roles: ['fix-executor'] },
        ],
      }),
    });
    commit(dir);
    const r = await runCli(['run'], dir, { AGENT_CTL: ctl });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const served = await serve(['serve'], dir);
    const { page, errors } = await open(served.url);
    await page.locator('#run-state[data-state="held"]').waitFor();
    const gate = page.locator('#fixes .gate-history[data-gate="gate:p/no-todo"]');
    await gate.waitFor();
    const first = gate.locator('.gate-run[data-round="0"]');
    expect(await first.locator('.round-head').textContent()).toBe('first run: failed, 1 finding');
    expect(await first.locator('ul.found li').textContent()).toMatch(/^src\/a\.py:1:\d+ .*TODO.* \(hygiene\/no-todo\)$/);
    expect(await gate.locator('.fix-round[data-round="1"] .round-head').textContent()).toBe('fix round 1 by fixer');
    const after = gate.locator('.gate-run[data-round="1"]');
    expect(await after.locator('.round-head').textContent()).toBe('after round 1: passed');
    expect(await after.locator('ul.gone li').textContent()).toMatch(/^gone: src\/a\.py:1:\d+ .*TODO/);
    // The diff that did it (from git, as learned): the TODO line out, the line without it in.
    const learned = await gate.locator('details.learned pre.diff').textContent();
    expect(learned).toContain('-x = 1  # TODO: later');
    expect(learned).toContain('+x = 1');
    // The Findings list of the run as it ended says none; what was found is above, in its round.
    expect(await page.locator('#findings li').textContent()).toBe('none');
    await shot(page, 'fixes', '#fixes-pane');
    expect(errors).toEqual([]);
  });

  it(
    'alerts while a real Claude Code turn is held open past the silence threshold: on the page, in status, and by the alerts command',
    { timeout: 240_000 },
    async () => {
      const m = await modelServer({
        turns: [
          turn.hold(
            'think',
            { kind: 'text', text: 'Thought about it; nothing to change.' },
            { api: 'anthropic', usage: usage(500, 10), match: when.userSays('Think hard') },
          ),
        ],
      });
      const out = path.join(controlDir(), 'alerts.txt');
      const notifier = path.join(controlDir(), 'notify.mjs');
      writeFileSync(notifier, "import { appendFileSync } from 'node:fs';\nappendFileSync(process.argv[2], process.argv.slice(3).join(' ') + '\\n');\n");
      const dir = makeRepo({
        'orchestra.config.yaml': `phases:
  - id: p
    tasks:
      - id: think
        agent: claude
        prompt: "Think hard about notes.md."
        scope: { touch: ["notes.md"] }
alerts:
  silentAfter: 1500ms
  run: [node, ${JSON.stringify(notifier)}, ${JSON.stringify(out)}, "{{kind}}", "{{node}}:", "{{message}}"]
`,
        'team.json': claudeTeam(m, clis),
      });
      commit(dir);
      const served = await serve(['run', '--ui'], dir);
      const { page, errors } = await open(served.url);
      await m.held('think');
      const heldAt = Date.now();
      // While the turn is held, the agent prints nothing: the alert shows up on the page, on its node, and in status.
      const alert = page.locator('#alerts li[data-kind="silent"][data-node-id="task:p/think"]');
      await alert.first().waitFor({ timeout: 30_000 });
      expect(await alert.first().textContent()).toMatch(/^silent p\/think: the agent has printed nothing for [\d.]+s/);
      await page.locator('g.node.alerted[data-node-id="task:p/think"]').waitFor();
      expect(await page.locator('#alert-count').textContent()).toMatch(/^\d+ alerts?$/);
      const status = await runCli(['status'], dir, { NO_COLOR: '1' });
      expect(status.stdout).toMatch(/alerts \(\d+\)\n {2}silent +p\/think: the agent has printed nothing for [\d.]+s/);
      await waitFor(
        'the alerts command to run',
        () => existsSync(out) && readFileSync(out, 'utf8').includes('silent task:p/think: the agent has printed nothing'),
      );
      await page.locator('g.node[data-node-id="task:p/think"]').click();
      await page.locator('#node-alert:not([hidden])').waitFor();
      // Its transcript says it is at work (its session started, nothing more yet), not that there is nothing to show.
      await expect.poll(() => page.locator('#transcript .attempt-foot').textContent()).toBe('working…');
      await shot(page, 'alert');
      // The record holds it: an alert event for the node, raised after the turn was held.
      const runs = path.join(dir, '.orchestra', 'runs');
      const events = () =>
        readFileSync(path.join(runs, execFileSync('ls', [runs], { encoding: 'utf8' }).trim().split('\n')[0] as string, 'events.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { type: string; kind?: string; node?: string; ts: number });
      expect(events().some((e) => e.type === 'alert' && e.kind === 'silent' && e.node === 'task:p/think' && e.ts >= heldAt)).toBe(true);
      // `logs -f` follows the transcript while the turn is held, and prints each line once as it settles.
      const follow = runCli(['logs', 'think', '-f'], dir);
      m.release('think');
      expect(await served.exited).toBe(0);
      const followed = (await follow).stdout;
      expect(followed.match(/── claude, attempt 1/g)).toHaveLength(1);
      expect(followed).toContain('final answer: Thought about it; nothing to change.');
      expect(followed).toMatch(/done in [\d.]+m?s · 500 in \/ 10 out tokens/);
      expect(errors).toEqual([]);
    },
  );
});
