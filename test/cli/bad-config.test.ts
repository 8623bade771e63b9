import { describe, expect, it } from 'vitest';
import { makeRepo, positions, runCli } from '../helpers/repo.js';
import { BAD_CASES } from './bad-config.cases.js';

describe.concurrent('orchestra validate refuses bad config at its line', () => {
  it('has a corpus of at least 25 distinct mistakes', () => {
    expect(new Set(BAD_CASES.map((c) => c.name)).size).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const repo = makeRepo(c.files);
    const result = await runCli(['validate'], repo);
    expect(result.code).toBe(2);
    expect(positions(result.stderr)).toEqual(c.at);
    for (const text of c.says) expect(result.stderr).toContain(text);
    // The offending line is shown under each message, and never a stack trace.
    expect(result.stderr).toMatch(/^\s+\d+ \| /m);
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(result.stdout).toBe('');
  });
});
