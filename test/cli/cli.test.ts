import { readFileSync } from 'node:fs';
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
