import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/repo.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('the bundled example (npm run demo)', () => {
  it('runs the team: the timestamps gate fails, the fix agent repairs it from the findings, both phases checkpoint', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-example-'));
    cpSync(path.join(ROOT, 'examples', 'orders'), dir, { recursive: true });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'start');
    const r = await runCli(['run'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✗ models/timestamps 2 findings');
    expect(r.stdout).toContain('fix models: round 1 made every gate pass');
    const branch = /branch (orchestra\/[\w-]+)/.exec(r.stdout)?.[1] as string;
    const user = git(dir, 'show', `${branch}:app/models/user.py`);
    expect(user).toContain('updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())');
    expect(user).toContain('from sqlalchemy import Column, DateTime, Integer, String, func');
    expect(git(dir, 'tag').split('\n').sort()).toEqual([`${branch}/models`, `${branch}/phase-1`]);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    // The report says what git saw, and who did what.
    const report = readFileSync(path.join(dir, '.orchestra', 'runs', branch.slice('orchestra/'.length), 'report.md'), 'utf8');
    expect(report).toContain('Every phase held.');
    expect(report).toContain('| task | user-model | passed | builder ×1 |');
    expect(report).toContain('| fix | models | passed | repairer ×1 |');
    expect(report).toMatch(/app\/models\/user\.py +\| +\d+ \+/);
    expect(report).not.toContain('.pyc');
    expect(report).toContain('Files: 3.');
  });
});
