import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alive, GATE, waitFor } from '../helpers/gates.js';
import { controlDir, makeRepo, processesIn, ROOT, runCli, sandboxWorks } from '../helpers/repo.js';
import { liveGroups } from '../../src/workspace/process-groups.js';

/**
 * kill -9 of orchestra at several points of a 3-phase run: `resume <run-id>`
 * must first end what the killed run left running (an unsandboxed agent, a
 * gate and its grandchild), then finish with the tree an uninterrupted run makes.
 */
const AGENT = path.join(ROOT, 'test', 'fixtures', 'agent.mjs');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const TEAM = JSON.stringify({ agents: [{ id: 'coder', command: ['node', AGENT], roles: ['implementer'] }] });
const gateRun = (name: string, ...more: string[]) => JSON.stringify(['node', GATE, name, '--wait', '--child', ...more]);

function config(sandbox: string): string {
  return `gates:
  g1:
    run: ${gateRun('g1', '--ignore-term')}
  g3:
    run: ${gateRun('g3')}
phases:
  - id: first
    tasks:
      - { id: t1, agent: implementer, prompt: "@write a.txt\\nfrom the first phase\\n@end", scope: { touch: [a.txt] } }
    gates: [g1]
  - id: second
    tasks:
      - { id: t2, agent: implementer, prompt: "@block b\\n@write b.txt\\nfrom the second phase\\n@end", scope: { touch: [b.txt] } }
  - id: third
    tasks:
      - { id: t3, agent: implementer, prompt: "@block c\\n@write c.txt\\nfrom the third phase\\n@end", scope: { touch: [c.txt] } }
    gates: [g3]
${sandbox}
`;
}
const UNCONFINED = 'sandbox: off';

function repoWith(sandbox: string): { repo: string; ctl: string } {
  const ctl = controlDir();
  const repo = makeRepo({ 'orchestra.config.yaml': config(sandbox.replace('CTL', JSON.stringify(ctl))), 'team.json': TEAM, 'NOTES.md': 'mine\n' });
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  return { repo, ctl };
}

const env = (ctl: string) => ({ AGENT_CTL: ctl, GATE_DIR: ctl, AGENT_LOG: path.join(ctl, 'agents.log') });
const releaseAll = (ctl: string, names: string[]) => names.forEach((n) => writeFileSync(path.join(ctl, `${n}.release`), ''));
const pidIn = (ctl: string, file: string) => Number(readFileSync(path.join(ctl, file), 'utf8'));
/** What the run added to the commit it started from. */
const work = (repo: string, branch: string) => git(repo, 'diff', 'main', branch);

function checkpoints(repo: string, runId: string): string[] {
  try {
    return Object.keys((JSON.parse(readFileSync(path.join(repo, '.orchestra', 'runs', runId, 'state.json'), 'utf8')) as { checkpoints: object }).checkpoints);
  } catch {
    return []; // not written yet
  }
}
const runIdOf = (repo: string) => readdirSync(path.join(repo, '.orchestra', 'runs'))[0] as string;

interface Point {
  /** Released before the run: what the kill point is past. */
  readonly before: string[];
  /** The control file whose appearance is the kill point (the held command wrote it as it started). */
  readonly marker: string;
  /** The pids of what the held command left running, read once the killed run is dead. */
  leftovers(ctl: string, repo: string, runId: string): number[];
  /** The checkpoints the killed run had written. */
  readonly done: string[];
  /** What resume says it did to the held command; undefined: nothing of it outlived orchestra (a PID namespace). */
  readonly said?: string;
}

const gateHeld = (name: string, before: string[], done: string[]): Point => ({
  before,
  marker: `${name}.child`,
  leftovers: (ctl) => [pidIn(ctl, `${name}.pid`), pidIn(ctl, `${name}.child`)],
  done,
  // g1 ignores SIGTERM: only the SIGKILL after the grace ends it.
  said: name === 'g1' ? 'killed (it ignored SIGTERM)' : 'stopped',
});
const agentHeld = (name: string, task: string, before: string[], done: string[]): Point => ({
  before,
  marker: `${name}.started`,
  leftovers: (_ctl, repo, runId) => processesIn(path.join(repo, '.orchestra', 'worktrees', runId, task)).map((p) => Number(p.split(' ')[0])),
  done,
  said: 'stopped',
});

// Two runs of three phases each, agents and gates: well under a minute alone, more on a loaded machine.
describe.concurrent('kill -9 of orchestra, then resume <run-id>', { timeout: 240_000 }, () => {
  let straight = '';
  beforeAll(async () => {
    const { repo, ctl } = repoWith(UNCONFINED);
    releaseAll(ctl, ['g1', 'b', 'c', 'g3']);
    const r = await runCli(['run'], repo, env(ctl));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    straight = work(repo, `orchestra/${runIdOf(repo)}`);
    expect(straight).toContain('+from the third phase');
    // Every group the run started was recorded, and marked ended when it ended: a resume would find nothing to stop.
    const record = readFileSync(path.join(repo, '.orchestra', 'runs', runIdOf(repo), 'groups.jsonl'), 'utf8');
    expect(record.match(/"start"/g)?.length).toBeGreaterThanOrEqual(5);
    expect(liveGroups(record)).toEqual([]);
  });

  async function killAndResume(sandbox: string, point: Point): Promise<void> {
    const { repo, ctl } = repoWith(sandbox);
    releaseAll(ctl, point.before);
    let pid = 0;
    const first = runCli(['run'], repo, env(ctl), (child) => (pid = child.pid ?? 0));
    await waitFor(point.marker, () => existsSync(path.join(ctl, point.marker)), 120_000);
    const runId = runIdOf(repo);
    await waitFor('the checkpoints before the kill point', () => checkpoints(repo, runId).length === point.done.length);
    process.kill(pid, 'SIGKILL');
    await first;
    expect(checkpoints(repo, runId)).toEqual(point.done);
    if (point.said === undefined) return containedResume(repo, ctl, runId, point);
    const left = point.leftovers(ctl, repo, runId);
    expect(left.length, 'the held command outlives the kill').toBeGreaterThan(0);
    expect(left.every(alive)).toBe(true);

    // The resumed run holds at the same point again; by then nothing of the killed run may be alive.
    rmSync(path.join(ctl, point.marker));
    const resumed = runCli(['resume', runId, '--kill-grace', '300ms'], repo, env(ctl));
    try {
      await waitFor(`${point.marker} again`, () => existsSync(path.join(ctl, point.marker)), 120_000);
      expect(left.filter(alive), 'processes of the killed run still alive').toEqual([]);
    } finally {
      // Failing, the test must not leave what it started running (a gate's grandchild never ends on its own);
      // released, the resumed run finishes on its own.
      for (const p of left.filter(alive)) process.kill(p, 'SIGKILL');
      releaseAll(ctl, ['g1', 'b', 'c', 'g3']);
    }
    const r = await resumed;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/orchestra: process group \d+ the killed run left running: /);
    expect(r.stderr).toContain(`left running: ${point.said}\n`);
    expect(work(repo, `orchestra/${runId}`)).toBe(straight);
    await waitFor('every process of both runs to end', () => processesIn(path.join(repo, '.orchestra')).length === 0);
    expect(left.filter(alive)).toEqual([]);
  }

  /** The held command ran in a PID namespace that died with orchestra: there is nothing for resume to stop. */
  async function containedResume(repo: string, ctl: string, runId: string, point: Point): Promise<void> {
    const worktrees = path.join(repo, '.orchestra', 'worktrees', runId);
    await waitFor('the PID namespace to end with orchestra', () => processesIn(worktrees).length === 0);
    rmSync(path.join(ctl, point.marker));
    const resumed = runCli(['resume', runId, '--kill-grace', '300ms'], repo, env(ctl));
    await waitFor(`${point.marker} again`, () => existsSync(path.join(ctl, point.marker)), 120_000);
    releaseAll(ctl, ['g1', 'b', 'c', 'g3']);
    const r = await resumed;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).not.toContain('left running');
    expect(work(repo, `orchestra/${runId}`)).toBe(straight);
  }

  it('while a phase gate and its grandchild run (no sandbox)', async () => {
    await killAndResume(UNCONFINED, gateHeld('g1', [], []));
  });

  it("while a task's agent runs (no sandbox)", async () => {
    await killAndResume(UNCONFINED, agentHeld('b', 't2', ['g1'], ['first']));
  });

  it('between phases: right after a checkpoint, as the next phase starts its agent (no sandbox)', async () => {
    await killAndResume(UNCONFINED, agentHeld('c', 't3', ['g1', 'b'], ['first', 'second']));
  });

  it.skipIf(!sandboxWorks() && !process.env['CI'])(
    'with the sandbox (agents and gates in their own PID namespace): while the last phase gate runs, nothing of it outlives the kill',
    async () => {
      const { said: _, ...held } = gateHeld('g3', ['g1', 'b', 'c'], ['first', 'second']);
      await killAndResume('sandbox:\n  mode: required\n  writable: [CTL]', held);
    },
  );
});
