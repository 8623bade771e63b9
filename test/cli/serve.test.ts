import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/gates.js';
import { controlDir, makeRepo, ROOT, runCli } from '../helpers/repo.js';
import { getWithHost, readSse, spawnServing } from '../helpers/serve.js';

const AGENT = path.join(ROOT, 'test', 'fixtures', 'agent.mjs');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A repo whose `check` fails with a finding: a run to look at. */
async function checkedRepo(): Promise<{ repo: string; runId: string }> {
  const repo = makeRepo({
    'orchestra.config.yaml': 'extends: [hygiene]\ngates:\n  no-todo:\n    files: ["src/**"]\n  echo:\n    run: echo hello from the gate\n',
    'src/a.py': 'x = 1  # TODO: later\n',
  });
  expect((await runCli(['check', '--keep-going'], repo)).code).toBe(1);
  const runId = (await runCli(['list'], repo)).stdout.split(/\s+/)[0] as string;
  return { repo, runId };
}

describe.concurrent('orchestra serve', () => {
  it("prints its address first, serves the page and the run's events, and resumes after Last-Event-ID across a restart", async () => {
    const { repo, runId } = await checkedRepo();
    const served = await spawnServing(['serve'], repo);
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(served.url);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
      for (const asset of ['app.js', 'model.js', 'dag.js', 'style.css']) expect((await fetch(served.url + asset)).status).toBe(200);
      const runs = (await (await fetch(`${served.url}api/runs`)).json()) as { default: string; runs: Array<{ id: string; outcome: string }> };
      expect(runs.default).toBe(runId);
      expect(runs.runs[0]).toMatchObject({ id: runId, outcome: 'failed' });

      const all = await readSse(`${served.url}api/runs/${runId}/events`, (es) => es.some((e) => e.data.includes('"run-finished"')));
      expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
      expect(JSON.parse(all[0]!.data)).toMatchObject({ type: 'run-started', runId });
      expect(all.some((e) => e.data.includes('"finding"') && e.data.includes('src/a.py'))).toBe(true);

      const log = await fetch(`${served.url}api/runs/${runId}/log?node=${encodeURIComponent('gate:echo')}`);
      expect(await log.text()).toContain('hello from the gate');
      expect(Number(log.headers.get('x-log-next'))).toBeGreaterThan(0);
      expect((await fetch(`${served.url}api/runs/${runId}/log?node=..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
      expect((await fetch(`${served.url}api/runs/nope/events`)).status).toBe(404);
      expect(await getWithHost(served.url, 'evil.example:80')).toBe(403);

      // Stop the server, start it again on the same port: the browser's reconnect gets only what it lacked.
      const port = new URL(served.url).port;
      served.child.kill('SIGINT');
      expect(await served.exited).toBe(0);
      const again = await spawnServing(['serve', runId, '--port', port], repo);
      try {
        expect(again.url).toBe(`http://127.0.0.1:${port}/?run=${runId}`);
        const rest = await readSse(
          `${again.url.replace(/\?.*/, '')}api/runs/${runId}/events`,
          (es) => es.some((e) => e.data.includes('"run-finished"')),
          all.length - 2,
        );
        expect(rest.map((e) => e.id)).toEqual([all.length - 1, all.length]);
      } finally {
        again.child.kill('SIGINT');
        await again.exited;
      }
    } finally {
      served.child.kill('SIGINT');
      await served.exited;
    }
  });

  it('says what is wrong with --port, a port in use, or an unknown run, with exit 2', async () => {
    const { repo } = await checkedRepo();
    const bad = await runCli(['serve', '--port', 'eighty'], repo);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--port <n>' argument 'eighty' is invalid. expected a port number from 0 to 65535");
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const busy = await runCli(['serve', '--port', String(port)], repo);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`--port ${port}: that port is in use`);
    } finally {
      taken.close();
    }
    const unknown = await runCli(['serve', 'nope'], repo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no run 'nope'");
  });

  it('run --ui serves the running run, first line the address, and stops serving when the run ends', async () => {
    const ctl = controlDir();
    const repo = makeRepo({
      'orchestra.config.yaml': `phases:\n  - id: p\n    tasks:\n      - { id: slow, agent: implementer, prompt: "@block slow\\n@write s.txt\\ns\\n@end", scope: { touch: [s.txt] } }\nsandbox: { writable: [${JSON.stringify(ctl)}] }\n`,
      'team.json': JSON.stringify({ agents: [{ id: 'coder', command: ['node', AGENT], roles: ['implementer'] }] }),
      'ctl/.keep': '',
    });
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
    const served = await spawnServing(['run', '--ui'], repo, { AGENT_CTL: ctl });
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?run=[\w-]+$/);
    const runId = new URL(served.url).searchParams.get('run') as string;
    await waitFor('the agent to start', () => existsSync(path.join(ctl, 'slow.started')));
    const runs = (await (await fetch(new URL('/api/runs', served.url))).json()) as { default: string; runs: Array<{ id: string; outcome: string }> };
    expect(runs).toMatchObject({ default: runId, runs: [{ id: runId, outcome: 'running' }] });
    const stream = readSse(new URL(`/api/runs/${runId}/events`, served.url).href, (es) => es.some((e) => e.data.includes('"run-finished"')));
    writeFileSync(path.join(ctl, 'slow.release'), '');
    // The stream carries the run to its end before the server goes.
    expect((await stream).at(-1)?.data).toContain('"run-finished"');
    expect(await served.exited).toBe(0);
    await expect(fetch(served.url)).rejects.toThrow();
  });
});
