import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, ROOT, runCli, sandboxWorks, type CliResult } from '../helpers/repo.js';

// Agents test their own work (issue 16): `orchestra run` hands every agent orchestra's MCP server, scoped to its task;
// the agent's check_gate calls and notes reach the run's record; `self_check: required` sends back an agent that never
// checked. The agent is test/fixtures/agent.mjs, which starts the server from the config file orchestra wrote for it
// (ORCHESTRA_MCP_CONFIG, the file Claude Code gets as --mcp-config) with the SDK's client, and passes it almost no
// environment (as Codex does). Repositories outside /tmp, as a user's are: the sandbox's /tmp is private.

const AGENT = path.join(ROOT, 'test', 'fixtures', 'agent.mjs');
const base = mkdtempSync(path.join(existsSync('/var/tmp') ? '/var/tmp' : homedir(), 'orchestra-self-check-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A gate that fails while src/a.txt says "bad". */
const GATES = `gates:\n  no-bad:\n    run: ["sh", "-c", "! grep -q bad src/a.txt"]\n`;

function repo(prompt: string, phaseExtra = ''): string {
  const dir = makeRepo(
    {
      'orchestra.config.yaml': `${GATES}phases:\n  - id: p\n    gates: [no-bad]\n${phaseExtra}    tasks:\n      - id: t\n        agent: dev\n        scope: { touch: ["src/**"] }\n        prompt: |\n${prompt
        .split('\n')
        .map((l) => `          ${l}`)
        .join('\n')}\n`,
      'team.json': JSON.stringify({ agents: [{ id: 'bot', roles: ['dev'], command: [process.execPath, AGENT] }] }),
      '.gitignore': '.orchestra/\n',
    },
    base,
  );
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'start');
  return dir;
}

type Ev = Record<string, unknown> & { type: string; nodeId?: string };
function record(dir: string): Ev[] {
  const runs = path.join(dir, '.orchestra', 'runs');
  const id = readdirSync(runs).sort().at(-1) as string;
  return readFileSync(path.join(runs, id, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Ev);
}
const notes = (evs: Ev[]) => evs.filter((e) => e.type === 'note').map((e) => String(e.message));
const branchOf = (r: CliResult) => /branch (orchestra\/[\w-]+)/.exec(r.stdout)?.[1] as string;

describe('self_check: agents check their own work through orchestra mcp', () => {
  it('offered: the agent gets the server; its check_gate calls (failed, then passed) and its notes are in the record, the terminal and the report', async () => {
    const dir = repo('@write src/a.txt\nbad\n@end\n@check\n@write src/a.txt\ngood\n@end\n@check\n@note halfway there\n@blocker needs a human for the keys');
    const r = await runCli(['run'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const evs = record(dir);
    const checks = evs.filter((e) => e.type === 'self-check');
    expect(checks.map((e) => [e.nodeId, e.ok, e.gates])).toEqual([
      ['task:p/t', false, [{ name: 'no-bad', status: 'failed' }]],
      ['task:p/t', true, [{ name: 'no-bad', status: 'passed' }]],
    ]);
    expect(notes(evs)).toEqual(expect.arrayContaining(['note from the agent: halfway there', 'blocker from the agent: needs a human for the keys']));
    expect(r.stdout).toContain('p/t: checked its own work with check_gate: failed (no-bad)');
    expect(r.stdout).toContain('p/t: checked its own work with check_gate: passed (no-bad)');
    // The prompt asked for it, naming the phase's gates.
    const prompts = path.join(dir, '.orchestra', 'runs', readdirSync(path.join(dir, '.orchestra', 'runs'))[0] as string, 'prompts');
    expect(readFileSync(path.join(prompts, 'task_p_t.md'), 'utf8')).toContain(
      "call the `check_gate` tool of the `orchestra` MCP server. It runs this phase's gates (no-bad)",
    );
    const report = readFileSync(path.join(dir, '.orchestra', 'runs', readdirSync(path.join(dir, '.orchestra', 'runs'))[0] as string, 'report.md'), 'utf8');
    expect(report).toContain('| p/t | 2 check_gate calls, the last passed |');
    expect(git(dir, 'show', `${branchOf(r)}:src/a.txt`)).toBe('good');
    if (sandboxWorks()) expect(r.stderr).not.toContain('sandbox');
  });

  it('required: an agent that never checked is sent back once with that fact, and checks then', async () => {
    const dir = repo('@write src/a.txt\ngood\n@end\n@check-if-sent-back', '    self_check: required\n');
    const r = await runCli(['run'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const evs = record(dir);
    expect(notes(evs)).toEqual(
      expect.arrayContaining([
        'self-check: the agent never called check_gate: sent back once to check its work',
        'self-check: after the send-back, its last check passed',
      ]),
    );
    expect(evs.filter((e) => e.type === 'self-check').map((e) => [e.nodeId, e.ok])).toEqual([['task:p/t#self-check', true]]);
    const runDir = path.join(dir, '.orchestra', 'runs', readdirSync(path.join(dir, '.orchestra', 'runs'))[0] as string);
    expect(readFileSync(path.join(runDir, 'prompts', 'task_p_t_self-check.md'), 'utf8')).toMatch(
      /requires each task's agent to check its own work before it is merged\. You ended without calling check_gate/,
    );
  });

  it('off: no server, no ask in the prompt, and nobody is sent back', async () => {
    const dir = repo('@write src/a.txt\ngood\n@end', '    self_check: off\n');
    const r = await runCli(['run'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const runDir = path.join(dir, '.orchestra', 'runs', readdirSync(path.join(dir, '.orchestra', 'runs'))[0] as string);
    expect(readFileSync(path.join(runDir, 'prompts', 'task_p_t.md'), 'utf8')).not.toContain('check_gate');
    expect(existsSync(path.join(runDir, 'mcp'))).toBe(false);
    expect(record(dir).some((e) => e.type === 'self-check')).toBe(false);
  });

  it("the channel is the agent's word: forged, oversized and control-character lines are bounded or dropped", async () => {
    const forged = JSON.stringify({ kind: 'progress', text: 'line one\n\u001b[31mFAKE ✓ passed' });
    const dir = repo(
      `@write src/a.txt\ngood\n@end\n@channel not json at all\n@channel ${forged}\n@channel {"kind":"gate-call","ok":"yes"}\n@channel {"kind":"progress","text":"${'x'.repeat(20_000)}"}\n@channel {"kind":"progress","text":"${'y'.repeat(5000)}"}`,
    );
    const r = await runCli(['run'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const fromAgent = notes(record(dir)).filter((n) => n.startsWith('note from the agent'));
    expect(fromAgent).toEqual(['note from the agent: line one [31mFAKE ✓ passed', `note from the agent: ${'y'.repeat(4000)}…`]);
    expect(record(dir).some((e) => e.type === 'self-check')).toBe(false);
  });

  it('a channel replaced with a link to another file is not followed', async () => {
    const secret = path.join(base, `secret-${Date.now()}.jsonl`);
    writeFileSync(secret, `${JSON.stringify({ kind: 'progress', text: 'SECRET FROM THE HOST' })}\n`);
    const dir = repo(`@write src/a.txt\ngood\n@end\n@channel-link ${secret}`);
    const r = await runCli(['run'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(notes(record(dir)).join('\n')).not.toContain('SECRET FROM THE HOST');
  });
});
