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
    setTimeout(() => rmSync(lock), 60);
    await new Repo(dir).raw(['branch', 'side']);
    expect(execFileSync('git', ['branch', '--list', 'side'], { cwd: dir, encoding: 'utf8' })).toContain('side');
  });

  it('gives up on a lock that stays, and reports other errors as git said them', async () => {
    const dir = committed();
    writeFileSync(path.join(dir, '.git', 'refs', 'heads', 'kept.lock'), '');
    await expect(new Repo(dir).raw(['branch', 'kept'])).rejects.toThrow(/kept\.lock': File exists/);
    await expect(new Repo(dir).raw(['rev-parse', '--verify', 'nope'])).rejects.toThrow(/git rev-parse --verify nope: fatal: Needed a single revision/);
  });
});
