import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/gates.js';
import { controlDir, makeRepo, ROOT, runCli } from '../helpers/repo.js';

const AGENT = path.join(ROOT, 'test', 'fixtures', 'agent.mjs');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

function repo(alerts: string, ctl: string): string {
  const dir = makeRepo({
    'orchestra.config.yaml': `phases:
  - id: p
    tasks:
      - { id: quiet, agent: implementer, prompt: "@block quiet\\n@write q.txt\\nq\\n@end", scope: { touch: [q.txt] } }
sandbox: { writable: [${JSON.stringify(ctl)}] }
${alerts}`,
    'team.json': JSON.stringify({ agents: [{ id: 'coder', command: ['node', AGENT], roles: ['implementer'] }] }),
  });
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  return dir;
}

describe('alerts', () => {
  it('a bad alerts: section is reported at its place before anything runs', async () => {
    const dir = repo('alerts:\n  silentAfter: soon\n  run: notify-send\n  loops: 3\n', controlDir());
    const r = await runCli(['run'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("orchestra.config.yaml:7:16: error: 'soon' is not a duration");
    expect(r.stderr).toContain('orchestra.config.yaml:8:8: error: alerts.run: expected a list of strings');
    expect(r.stderr).toContain("orchestra.config.yaml:9:3: error: unknown key 'loops' in alerts");
    expect(existsSync(path.join(dir, '.orchestra', 'runs'))).toBe(false);
  });

  it('a silent agent is alerted in the record, the terminal and status; an alerts command that cannot start is said once and the run goes on', async () => {
    const ctl = controlDir();
    const dir = repo('alerts:\n  silentAfter: 300ms\n  run: [orchestra-no-such-notifier, "{{message}}"]\n', ctl);
    const run = runCli(['run'], dir, { AGENT_CTL: ctl });
    await waitFor('the agent to start', () => existsSync(path.join(ctl, 'quiet.started')));
    const runs = path.join(dir, '.orchestra', 'runs');
    const record = () => readFileSync(path.join(runs, execFileSync('ls', [runs], { encoding: 'utf8' }).trim(), 'events.jsonl'), 'utf8');
    await waitFor('a silence alert in the record', () => record().includes('"type":"alert"'));
    const status = await runCli(['status'], dir);
    expect(status.stdout).toMatch(/alerts \(\d\)\n {2}silent +p\/quiet: the agent has printed nothing for [\d.]+m?s/);
    writeFileSync(path.join(ctl, 'quiet.release'), '');
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/! p\/quiet: the agent has printed nothing for [\d.]+m?s/);
    expect(r.stderr.match(/alerts\.run: orchestra-no-such-notifier: spawn orchestra-no-such-notifier ENOENT/g)).toHaveLength(1);
    const alerts = record()
      .split('\n')
      .filter((l) => l.includes('"type":"alert"'))
      .map((l) => JSON.parse(l) as { kind: string; node: string | null });
    // Once per silence: the agent's first line (after its sandbox started) may end one silence and start the next.
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(alerts.every((a) => a.kind === 'silent' && a.node === 'task:p/quiet')).toBe(true);
  });
});

describe('alerts in the terminal tree', () => {
  it('the listr view shows an alert under its node', async () => {
    const ctl = controlDir();
    const dir = repo('alerts:\n  silentAfter: 300ms\n', ctl);
    const run = runCli(['run'], dir, { AGENT_CTL: ctl, ORCHESTRA_RENDERER: 'tty' });
    await waitFor('the agent to start', () => existsSync(path.join(ctl, 'quiet.started')));
    const runs = path.join(dir, '.orchestra', 'runs');
    const record = () => readFileSync(path.join(runs, execFileSync('ls', [runs], { encoding: 'utf8' }).trim(), 'events.jsonl'), 'utf8');
    await waitFor('a silence alert in the record', () => record().includes('"type":"alert"'));
    writeFileSync(path.join(ctl, 'quiet.release'), '');
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/! silent: the agent has printed nothing for [\d.]+m?s/);
  });
});
