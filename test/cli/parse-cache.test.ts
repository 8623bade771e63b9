import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlDir, makeRepo, runCli } from '../helpers/repo.js';

const config = (command: string): string => `gates:\n  unit:\n    run: ${JSON.stringify(command)}\n`;
const entries = (repo: string): string[] => {
  const dir = path.join(repo, '.orchestra', 'cache', 'parse');
  return existsSync(dir) ? readdirSync(dir).map((n) => path.join(dir, n)) : [];
};

describe('the parse cache is not a command source', () => {
  it('an entry edited to hold another command is a miss: check runs the config’s command, and the entry is written again', async () => {
    const cacheHome = controlDir();
    const env = { XDG_CACHE_HOME: cacheHome };
    const repo = makeRepo({ 'orchestra.config.yaml': config('touch real') });
    expect((await runCli(['validate'], repo, env)).code).toBe(0);
    const [entry, ...more] = entries(repo);
    expect(more).toEqual([]);
    const honest = readFileSync(entry as string, 'utf8');
    expect(honest).toContain('touch real');
    // The key is the user's, outside the repo: 32 bytes only they can read.
    const key = path.join(cacheHome, 'orchestra', 'cache-key');
    expect([statSync(key).size, statSync(key).mode & 0o777]).toEqual([32, 0o600]);

    writeFileSync(entry as string, honest.replaceAll('touch real', 'touch forged'));
    const r = await runCli(['check'], repo, env);
    expect(r.code).toBe(0);
    expect([existsSync(path.join(repo, 'real')), existsSync(path.join(repo, 'forged'))]).toEqual([true, false]);
    expect(readFileSync(entry as string, 'utf8')).toBe(honest);
  });

  it('an entry sealed for another text cannot be moved under this one’s name', async () => {
    const env = { XDG_CACHE_HOME: controlDir() };
    const repo = makeRepo({ 'orchestra.config.yaml': config('touch forged') });
    expect((await runCli(['validate'], repo, env)).code).toBe(0);
    const [other] = entries(repo);
    writeFileSync(path.join(repo, 'orchestra.config.yaml'), config('touch real'));
    expect((await runCli(['validate'], repo, env)).code).toBe(0);
    const mine = entries(repo).find((e) => e !== other) as string;
    writeFileSync(mine, readFileSync(other as string));
    expect((await runCli(['check'], repo, env)).code).toBe(0);
    expect([existsSync(path.join(repo, 'real')), existsSync(path.join(repo, 'forged'))]).toEqual([true, false]);
  });

  it('caches nothing when there is no key to be had (a cache folder that cannot be made)', async () => {
    const blocked = path.join(controlDir(), 'a-file');
    writeFileSync(blocked, '');
    const repo = makeRepo({ 'orchestra.config.yaml': config('touch real') });
    const r = await runCli(['validate'], repo, { XDG_CACHE_HOME: path.join(blocked, 'cache') });
    expect(r.code).toBe(0);
    expect(entries(repo)).toEqual([]);
  });
});
