import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, ROOT, runCli } from '../helpers/repo.js';

const COMMANDS = [
  'validate',
  'init',
  'plan',
  'graph',
  'check',
  'run',
  'resume',
  'rollback',
  'patterns',
  'apply',
  'clean',
  'list',
  'status',
  'logs',
  'report',
  'abort',
  'hooks',
  'rules',
  'presets',
];

describe.concurrent('the command line', () => {
  it('prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
    const r = await runCli(['--version'], ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each(COMMANDS)('has --help for %s', async (command) => {
    const r = await runCli([command, '--help'], ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: orchestra ${command}`);
  });

  it.each(['serve', 'run', 'check'])('%s --help says each default once, in the unit the flag takes', async (command) => {
    const r = await runCli([command, '--help'], ROOT);
    // commander wraps a long description onto indented lines: one option, one line.
    const help = r.stdout.replace(/\n {8,}/g, ' ');
    for (const line of help.split('\n').filter((l) => /--(port|kill-grace)\b/.test(l))) {
      expect(line.match(/default/g) ?? []).toHaveLength(1);
      expect(line).not.toMatch(/\(default: (0|5000)\)/);
    }
    if (command !== 'check') expect(help).toMatch(/--port <n> .*\(default: a free one\)/);
    if (command !== 'serve') expect(help).toMatch(/--kill-grace <duration> .*\(default: 5s\)/);
  });

  it('patterns says a learned fix in words (no "null"), and a line that is not a pattern is passed over', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  a: { run: "true" }\n' });
    mkdirSync(path.join(repo, '.orchestra'));
    const pattern = {
      signature: 'timestamps|null|sqlalchemy/timestamp-server-default@app/models.py:updated_at has no server_default|',
      gate: 'timestamps',
      phase: 'models',
      runId: 'r1',
      at: '2026-01-01T00:00:00.000Z',
      diff: '+++ b/app/models.py\n',
    };
    writeFileSync(path.join(repo, '.orchestra', 'patterns.jsonl'), `null\n${JSON.stringify(pattern)}\n"x"\n`);
    const r = await runCli(['patterns'], repo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('null');
    expect(r.stdout).toContain('failure: findings sqlalchemy/timestamp-server-default@app/models.py:updated_at has no server_default');
    expect(r.stdout).toContain('fix touched: app/models.py');
  });

  it('lists every command in --help', async () => {
    const r = await runCli(['--help'], ROOT);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('rejects an unknown command with exit 2 and a suggestion', async () => {
    const r = await runCli(['vaildate'], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'vaildate'");
    expect(r.stderr).toContain('Did you mean validate?');
  });

  it('rejects an unknown flag with exit 2 and a hint', async () => {
    const r = await runCli(['validate', '--strict'], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--strict'");
    expect(r.stderr).toContain('orchestra --help');
  });

  it('rejects a bad --format value with exit 2', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates: {}\n' });
    const r = await runCli(['graph', '--format', 'svg'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed choices are mermaid, dot, json');
  });

  it('with no command shows the help and exits 2', async () => {
    const r = await runCli([], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: orchestra');
  });
});
