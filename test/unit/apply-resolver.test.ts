import { describe, expect, it } from 'vitest';
import type { Config, Phase, Task } from '../../src/config/types.js';
import { parseTaskMerge, pickResolver } from '../../src/run/apply-resolver.js';
import { applyConflictPrompt } from '../../src/run/conflict-prompt.js';

const loc = { file: 'orchestra.config.yaml', start: 0, end: 0 };
const task = (id: string, agent: string, prompt = `do ${id}`): Task =>
  ({ id, loc, agent: { id: agent, loc }, prompt, scope: { touch: [], forbid: [], shared: [] } }) as unknown as Task;
const phase = (id: string, tasks: Task[], fix?: string): Phase =>
  ({ id, loc, tasks, gates: [], origin: 'config', selfCheck: 'offered', ...(fix ? { fix: { agent: { id: fix, loc }, attempts: 1 } } : {}) }) as Phase;
const config = (...phases: Phase[]): Pick<Config, 'phases'> => ({ phases });

describe('parseTaskMerge', () => {
  it("reads the merge queue's own subjects and nothing else", () => {
    expect(parseTaskMerge('orchestra(api): merge users')).toEqual({ phase: 'api', taskId: 'users' });
    expect(parseTaskMerge('orchestra(api): merge users\n')).toEqual({ phase: 'api', taskId: 'users' });
    expect(parseTaskMerge('Merge branch main')).toBeUndefined();
    expect(parseTaskMerge('orchestra(api): merge users and more')).toBeUndefined();
    expect(parseTaskMerge('orchestra(api): checkpoint')).toBeUndefined();
  });
});

describe('pickResolver', () => {
  const cfg = config(phase('a', [task('users', 'alice'), task('orders', 'bob')]), phase('b', [task('docs', 'carol')], 'fixer'));
  const contributions = [
    { phase: 'a', taskId: 'users', files: ['routes.js', 'users.js'] },
    { phase: 'a', taskId: 'orders', files: ['routes.js', 'orders.js', 'package.json'] },
  ];

  it('the task that touched the most conflicted files; the earlier one on a tie', () => {
    expect(pickResolver(['routes.js', 'package.json'], contributions, cfg)).toMatchObject({
      ref: 'bob',
      phase: 'a',
      taskId: 'orders',
      taskPrompt: 'do orders',
    });
    expect(pickResolver(['routes.js'], contributions, cfg)).toMatchObject({ ref: 'alice', taskId: 'users' });
  });

  it("no task touched them (a fix round did): the last phase's fix agent, else the first task's agent", () => {
    expect(pickResolver(['README.md'], contributions, cfg)).toEqual({ ref: 'fixer', phase: 'b', taskPrompt: 'the fixes of phase b' });
    expect(pickResolver(['README.md'], contributions, config(phase('a', [task('users', 'alice')])))).toMatchObject({ ref: 'alice', taskId: 'users' });
    expect(pickResolver(['README.md'], [], config(phase('a', [])))).toBeUndefined();
  });

  it('a contribution whose task is no longer in the config falls through to the fallback', () => {
    expect(pickResolver(['routes.js'], [{ phase: 'gone', taskId: 'x', files: ['routes.js'] }], cfg)).toMatchObject({ ref: 'fixer' });
  });
});

describe('applyConflictPrompt', () => {
  const base = {
    runId: 'r1',
    branch: 'main',
    task: 'orders',
    taskPrompt: 'add the orders route\nmore',
    files: ['routes.js'],
    diff: '@@ x',
    round: 1,
    attempts: 2,
  };
  it("names the branch, the task, the files, the user's commits and the diff", () => {
    const p = applyConflictPrompt({ ...base, userCommits: ['add my route'] });
    expect(p).toContain('applied to the branch main');
    expect(p).toContain('(your task orders) was: add the orders route\n');
    expect(p).toContain('- add my route');
    expect(p).toContain('- routes.js');
    expect(p).toContain('merge round 1 of 2');
    expect(p).toContain('@@ x');
  });
  it('is bounded: at most 20 commit subjects of 200 characters, and the diff cut at 24 KiB', () => {
    const p = applyConflictPrompt({ ...base, userCommits: Array.from({ length: 50 }, (_, i) => `${i} ${'x'.repeat(500)}`), diff: 'd'.repeat(100_000) });
    expect(p).toContain('- … and 30 more');
    expect(p).not.toContain('- 20 ');
    expect(p.length).toBeLessThan(24 * 1024 + 20 * 210 + 2000);
  });
});
