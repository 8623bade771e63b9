import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/repo.js';

describe.concurrent('orchestra init', () => {
  it('writes a starter config and team that validate, and ignores .orchestra/', async () => {
    const repo = makeRepo({ '.gitignore': 'node_modules/' });
    const r = await runCli(['init'], repo);
    expect(r.code).toBe(0);
    const config = readFileSync(path.join(repo, 'orchestra.config.yaml'), 'utf8');
    expect(config.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/orchestra-gates/schemas/orchestra.config.schema.json');
    expect(existsSync(path.join(repo, 'team.json'))).toBe(true);
    expect(readFileSync(path.join(repo, '.gitignore'), 'utf8')).toBe('node_modules/\n.orchestra/\n');
    const v = await runCli(['validate'], repo);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  });

  it('refuses to overwrite without --force and writes nothing', async () => {
    const repo = makeRepo({ 'team.json': '{"agents": []}' });
    const r = await runCli(['init'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('team.json already exists');
    expect(existsSync(path.join(repo, 'orchestra.config.yaml'))).toBe(false);
    expect(readFileSync(path.join(repo, 'team.json'), 'utf8')).toBe('{"agents": []}');
    expect(existsSync(path.join(repo, '.gitignore'))).toBe(false);
  });

  it('overwrites with --force, and does not add .orchestra/ twice', async () => {
    const repo = makeRepo({});
    await runCli(['init'], repo);
    writeFileSync(path.join(repo, 'team.json'), 'broken');
    const r = await runCli(['init', '--force'], repo);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(repo, 'team.json'), 'utf8')).toContain('"agents"');
    expect(readFileSync(path.join(repo, '.gitignore'), 'utf8')).toBe('.orchestra/\n');
  });
});
