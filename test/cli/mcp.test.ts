import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { failureSignature } from '../../src/run/fix-prompt.js';
import { call, mcpClient } from '../helpers/mcp.js';
import { controlDir, makeRepo, runCli } from '../helpers/repo.js';

const CONFIG = `rules:
  no-bug:
    pattern: BUG
    message: a bug
    files: ["**/*.py"]
    fix: OK
gates:
  unit:
    description: the unit tests
    run: [node, -e, "process.exit(0)"]
    inputs: ["*.txt"]
  broken:
    run: [node, -e, "console.log('line one'); console.log('it broke here'); process.exit(3)"]
  clean:
    rule: no-bug
hooks:
  pre-push: [unit, clean]
`;

const repoWith = (config = CONFIG, files: Record<string, string> = {}) =>
  makeRepo({ 'orchestra.config.yaml': config, 'a.txt': 'a\n', 'app/models.py': 'x = 1\ny = "BUG"\n', ...files });

describe('orchestra mcp over stdio, with the SDK client', () => {
  it('initializes as the orchestra server, with tools and instructions', async () => {
    const { client } = await mcpClient(repoWith());
    expect(client.getServerVersion()?.name).toBe('orchestra');
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    expect(client.getInstructions()).toMatch(/check_gate/);
  });

  it('lists every tool with a description for a model and an input schema that is valid JSON Schema', async () => {
    const { client } = await mcpClient(repoWith());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['check_gate', 'fix_suggestion', 'list_gates', 'note', 'run_status']);
    const ajv = new Ajv({ strict: false });
    for (const t of tools) {
      expect(t.description?.length, t.name).toBeGreaterThan(80);
      expect(t.inputSchema.type).toBe('object');
      expect(() => ajv.compile(t.inputSchema), t.name).not.toThrow();
    }
    const check = tools.find((t) => t.name === 'check_gate');
    expect(check?.inputSchema.properties).toHaveProperty('gates');
    expect(tools.find((t) => t.name === 'fix_suggestion')?.inputSchema.required).toEqual(['gate']);
  });

  it('check_gate: a passing command gate passes, and the second time comes from the cache', async () => {
    const { client } = await mcpClient(repoWith());
    const first = await call(client, 'check_gate', { gates: ['unit'] });
    expect(first.isError).toBe(false);
    expect(first.text).toMatch(/^PASSED/);
    expect(first.text).toContain('gate unit: passed\n');
    const again = await call(client, 'check_gate', { gates: ['unit'] });
    expect(again.text).toContain('gate unit: passed (cached');
  });

  it("check_gate: a failing command gate fails with its exit code and its output's last lines", async () => {
    const { client } = await mcpClient(repoWith());
    const r = await call(client, 'check_gate', { gates: ['broken'] });
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/^FAILED: broken/);
    expect(r.text).toContain('gate broken: failed (exit code 3)');
    expect(r.text).toMatch(/output \(last lines\):\n {4}line one\n {4}it broke here/);
  });

  it('check_gate: a rule gate names each finding as file:line:col: message (rule), and says a fix is available', async () => {
    const { client } = await mcpClient(repoWith());
    const r = await call(client, 'check_gate', { gates: ['clean'] });
    expect(r.text).toContain('gate clean: failed (1 finding)');
    expect(r.text).toContain('app/models.py:2:6: a bug (no-bug) [fix available: orchestra check --fix]');
  });

  it('check_gate without names checks every top-level gate, each failure at once', async () => {
    const { client } = await mcpClient(repoWith());
    const r = await call(client, 'check_gate');
    expect(r.text).toMatch(/^FAILED: broken, clean \(2 of 3 gates failed\)/);
  });

  it("check_gate inside a run checks the caller's phase's gates by default", async () => {
    const config = `${CONFIG}phases:\n  - id: build\n    tasks: [{ id: t, agent: a, prompt: p }]\n    gates: [unit]\n`;
    const repo = repoWith(config, { 'team.json': JSON.stringify({ agents: [{ id: 'a', command: ['true'] }] }) });
    const { client } = await mcpClient(repo, { ORCHESTRA_PHASE: 'build' });
    const r = await call(client, 'check_gate');
    expect(r.text).toMatch(/^PASSED: all 1 gate \(unit\)/);
  });

  it('check_gate: a gate that hangs stops at its timeout, and the server answers the next call', async () => {
    const config = `gates:\n  hang:\n    run: [node, -e, "setInterval(() => {}, 1000)"]\n    timeout: 1s\n  unit:\n    run: [node, -e, "process.exit(0)"]\n`;
    const { client } = await mcpClient(repoWith(config));
    const r = await call(client, 'check_gate', { gates: ['hang'] });
    expect(r.text).toMatch(/gate hang: failed \(timed out after 1000 ms\)/);
    expect((await call(client, 'check_gate', { gates: ['unit'] })).text).toMatch(/^PASSED/);
  });

  it('check_gate: two calls at once both get their own answer', async () => {
    const { client } = await mcpClient(repoWith());
    const [a, b] = await Promise.all([call(client, 'check_gate', { gates: ['broken'] }), call(client, 'check_gate', { gates: ['unit'] })]);
    expect(a.text).toMatch(/^FAILED: broken/);
    expect(b.text).toMatch(/^PASSED: all 1 gate \(unit\)/);
  });

  it('check_gate: an unknown gate is a tool error naming the gates, and the server goes on', async () => {
    const { client } = await mcpClient(repoWith());
    const r = await call(client, 'check_gate', { gates: ['unitt'] });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("unknown gate 'unitt' (did you mean 'unit'?)");
    expect((await call(client, 'list_gates')).isError).toBe(false);
  });

  it('a path outside the repository is a tool error, for every tool that takes one', async () => {
    const repo = repoWith();
    const outside = controlDir();
    const { client } = await mcpClient(repo);
    for (const [tool, args] of [
      ['check_gate', { path: outside }],
      ['check_gate', { path: '..' }],
      ['list_gates', { path: outside }],
      ['fix_suggestion', { gate: 'broken', path: outside }],
    ] as const) {
      const r = await call(client, tool, args);
      expect(r.isError, tool).toBe(true);
      expect(r.text).toMatch(/is outside the repository/);
    }
    const missing = await call(client, 'check_gate', { path: 'no/such/folder' });
    expect(missing).toMatchObject({ isError: true, text: expect.stringMatching(/does not exist/) as unknown });
  });

  it('input that does not fit the schema is a tool error', async () => {
    const { client } = await mcpClient(repoWith());
    const r = await call(client, 'check_gate', { gates: 'unit' });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/Input validation error.*expected array.*gates/);
  });

  it('a config that does not load is a tool error saying why', async () => {
    const { client } = await mcpClient(repoWith('gates:\n  unit:\n    runn: x\n'));
    const r = await call(client, 'check_gate');
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/could not be loaded[\s\S]*runn/);
  });

  it('check_gate still works where .orchestra/ cannot be written (an agent sandbox): no cache, no crash', async () => {
    // A file where the cache folder would go: mkdir fails for root too, unlike a chmod.
    const repo = repoWith(CONFIG, { '.orchestra/cache': 'not a folder\n', '.orchestra/.gitignore': '*\n' });
    const { client } = await mcpClient(repo);
    for (let i = 0; i < 2; i++) expect((await call(client, 'check_gate', { gates: ['unit'] })).text).toContain('gate unit: passed\n');
    expect(readFileSync(path.join(repo, '.orchestra/cache'), 'utf8')).toBe('not a folder\n');
  });

  it('keeps no run record and writes nothing to stdout but the protocol (logs go to stderr)', async () => {
    const repo = repoWith();
    const { client, stderr } = await mcpClient(repo);
    await call(client, 'check_gate');
    expect(existsSync(path.join(repo, '.orchestra/runs')) ? readdirSync(path.join(repo, '.orchestra/runs')) : []).toEqual([]);
    expect(stderr()).toContain('orchestra mcp: serving the gates of');
  });

  it('list_gates: each gate with what it checks, its description and where it is used', async () => {
    const { client } = await mcpClient(repoWith());
    const r = await call(client, 'list_gates');
    expect(r.isError).toBe(false);
    expect(r.text).toContain('unit: node -e process.exit(0)\n  the unit tests\n  inputs: *.txt\n  git hooks: pre-push');
    expect(r.text).toContain('clean: rule no-bug');
    expect(r.text).toContain('check_gate checks every gate above by default');
  });

  it('fix_suggestion: the learned fix whose signature matches the failure, and the same gate’s other fixes', async () => {
    const repo = repoWith();
    const failure = { gate: 'broken', command: '', exitCode: 3, message: '', findings: [], tail: 'line one\nit broke here\n' };
    const pattern = (signature: string, diff: string) => JSON.stringify({ signature, gate: 'broken', phase: 'p', runId: 'r1', at: '2025-01-01', diff });
    writeFileSync(
      path.join(makeStateDir(repo), 'patterns.jsonl'),
      `${pattern(failureSignature([failure]), '-exit(3)\n+exit(0)')}\n${pattern('broken|1||other', '-other\n+fixed')}\n`,
    );
    const { client } = await mcpClient(repo);
    const r = await call(client, 'fix_suggestion', { gate: 'broken' });
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/This same failure was fixed before[\s\S]*-exit\(3\)\n\+exit\(0\)/);
    expect(r.text).toMatch(/other failures of the same gate[\s\S]*\+fixed/);
  });

  it('fix_suggestion: a gate that passes has nothing to fix; an unknown gate is a tool error', async () => {
    const { client } = await mcpClient(repoWith());
    expect((await call(client, 'fix_suggestion', { gate: 'unit' })).text).toBe('gate unit passes now: nothing to fix');
    expect((await call(client, 'fix_suggestion', { gate: 'nope' })).isError).toBe(true);
  });

  it('run_status: no runs yet, then the latest run with its gates and why one failed; an unknown run is a tool error', async () => {
    const repo = repoWith();
    const { client } = await mcpClient(repo);
    expect((await call(client, 'run_status')).text).toBe('there are no orchestra runs in this repository yet');
    expect((await runCli(['check'], repo)).code).toBe(1);
    const r = await call(client, 'run_status');
    expect(r.text).toMatch(/^run \S+ \(orchestra check\): finished: something failed/);
    expect(r.text).toMatch(/top-level gates:[\s\S]* {2}failed gate broken[\s\S]*why: exit code 3/);
    expect(r.text).toContain('passed gate unit');
    expect((await call(client, 'run_status', { run_id: 'nope' })).isError).toBe(true);
  });

  it('note: outside a run there is no record to add to', async () => {
    const { client } = await mcpClient(repoWith());
    const r = await call(client, 'note', { text: 'halfway there' });
    expect(r.isError).toBe(false);
    expect(r.text).toMatch(/^not recorded: there is no orchestra run here/);
  });

  it('note: inside a run it goes to the file the run names, or says notes are not available', async () => {
    const repo = repoWith();
    const notes = path.join(controlDir(), 'notes.jsonl');
    const { client } = await mcpClient(repo, { ORCHESTRA_RUN_ID: 'r1', ORCHESTRA_TASK: 't', ORCHESTRA_PHASE: 'p', ORCHESTRA_NOTES_FILE: notes });
    expect((await call(client, 'note', { text: 'stuck on the schema', kind: 'blocker' })).text).toBe('recorded as a blocker note in run r1');
    expect(JSON.parse(readFileSync(notes, 'utf8'))).toMatchObject({ runId: 'r1', phase: 'p', task: 't', kind: 'blocker', text: 'stuck on the schema' });
    const bare = await mcpClient(repo, { ORCHESTRA_RUN_ID: 'r1' });
    expect((await call(bare.client, 'note', { text: 'x' })).text).toMatch(/notes are not available/);
  });
});

/** The repo's `.orchestra/`, made as a run would have left it. */
function makeStateDir(repo: string): string {
  const dir = path.join(repo, '.orchestra');
  mkdirSync(dir, { recursive: true });
  return dir;
}
