import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Repo } from '../../src/git/repo.js';
import { makeRepo } from '../helpers/repo.js';

function committed(): string {
  const dir = makeRepo({ 'a.txt': 'a\n' });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'x'], { cwd: dir });
  return dir;
}

describe('Repo', () => {
  it("waits out another git process's lock instead of failing", async () => {
    const dir = committed();
    const lock = path.join(dir, '.git', 'refs', 'heads', 'side.lock');
    writeFileSync(lock, '');
    // The other process lets go only once git has failed on its lock: ordered by what happened, not by a timer.
    const repo = new Repo(dir);
    const inner = repo as unknown as { once(args: string[], cwd: string): Promise<string> };
    const once = inner.once.bind(repo);
    const failures: string[] = [];
    inner.once = async (args, cwd) => {
      try {
        return await once(args, cwd);
      } catch (err) {
        failures.push((err as Error).message);
        rmSync(lock, { force: true });
        throw err;
      }
    };
    await repo.raw(['branch', 'side']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/side\.lock': File exists/);
    expect(execFileSync('git', ['branch', '--list', 'side'], { cwd: dir, encoding: 'utf8' })).toContain('side');
  });

  it('gives up on a lock that stays, and reports other errors as git said them', async () => {
    const dir = committed();
    writeFileSync(path.join(dir, '.git', 'refs', 'heads', 'kept.lock'), '');
    await expect(new Repo(dir).raw(['branch', 'kept'])).rejects.toThrow(/kept\.lock': File exists/);
    await expect(new Repo(dir).raw(['rev-parse', '--verify', 'nope'])).rejects.toThrow(/git rev-parse --verify nope: fatal: Needed a single revision/);
  });
});
