import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundedTail, formatCheck, TAIL_CHARS, TAIL_LINES } from '../../src/mcp/answers.js';
import { mergeServer } from '../../src/mcp/install.js';
import { noteTarget } from '../../src/mcp/notes.js';
import { Mutex } from '../../src/util/mutex.js';
import { suggestionsFor } from '../../src/mcp/suggest.js';
import { failureSignature } from '../../src/run/fix-prompt.js';
import { Workspace } from '../../src/workspace/layout.js';

describe('the MCP server, its decisions', () => {
  it('runs serialized calls one at a time, in order, even after one fails', async () => {
    const serial = new Mutex();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = serial.run(async () => {
      log.push('first start');
      await gate;
      log.push('first end');
      throw new Error('boom');
    });
    const second = serial.run(async () => {
      log.push('second start');
      return 2;
    });
    await Promise.resolve();
    expect(log).toEqual(['first start']);
    release();
    await expect(first).rejects.toThrow('boom');
    expect(await second).toBe(2);
    expect(log).toEqual(['first start', 'first end', 'second start']);
  });

  it("finds the repository's workspace from inside a run's task worktree, and none elsewhere", () => {
    const repo = path.resolve('/r/app');
    expect(Workspace.enclosing(path.join(repo, '.orchestra/worktrees/20250101-x/task-a/src'))?.stateDir).toBe(path.join(repo, '.orchestra'));
    expect(Workspace.enclosing(path.join(repo, '.orchestra/worktrees'))).toBeUndefined();
    expect(Workspace.enclosing(path.join(repo, 'src'))).toBeUndefined();
    expect(Workspace.enclosing(path.join(repo, '.orchestra/runs/20250101-x/logs'))).toBeUndefined();
  });

  it('bounds a log tail by lines and by characters', () => {
    const many = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    expect(boundedTail(many).split('\n')).toHaveLength(TAIL_LINES);
    expect(boundedTail(many).endsWith('line 99')).toBe(true);
    const wide = Array.from({ length: 10 }, () => 'x'.repeat(1000)).join('\n');
    expect(boundedTail(wide).length).toBe(TAIL_CHARS + 1);
  });

  it('shows at most 50 findings and says how many more', () => {
    const finding = (i: number) => ({ rule: 'r', file: 'f.py', line: i, column: 1, endLine: i, endColumn: 2, severity: 'error' as const, message: 'm' });
    const text = formatCheck([
      { name: 'g', status: 'failed', command: 'rule r', durationMs: 1, findings: Array.from({ length: 60 }, (_, i) => finding(i + 1)) },
    ]);
    expect(text).toContain('f.py:50:1: m (r)');
    expect(text).not.toContain('f.py:51:1');
    expect(text).toContain('… and 10 more');
  });

  it('sends a note to the run’s notes file, or says why it cannot', () => {
    expect(noteTarget({})).toEqual({ kind: 'no-run' });
    expect(noteTarget({ ORCHESTRA_RUN_ID: 'r' })).toEqual({ kind: 'unavailable', runId: 'r' });
    expect(noteTarget({ ORCHESTRA_RUN_ID: 'r', ORCHESTRA_NOTES_FILE: '/n', ORCHESTRA_TASK: 't' })).toEqual({ kind: 'file', runId: 'r', file: '/n', task: 't' });
  });

  it('matches learned fixes by the fix loop’s signature, newest first, and keeps other fixes of the gate apart', () => {
    const failure = { gate: 'g', command: 'c', exitCode: 1, message: 'm', findings: [], tail: 'error at 12' };
    const sig = failureSignature([failure]);
    const p = (signature: string, gate: string, diff: string) => ({ signature, gate, phase: 'p', runId: 'r', at: 'a', diff });
    const s = suggestionsFor([p(sig, 'g', 'old'), p('x', 'g', 'other'), p(sig, 'h', 'elsewhere'), p(sig, 'g', 'new')], failure);
    expect(s.exact.map((x) => x.diff)).toEqual(['new', 'elsewhere', 'old']);
    expect(s.related.map((x) => x.diff)).toEqual(['other']);
  });

  it('refuses a settings file whose top is not an object, or whose mcpServers is not one', () => {
    expect(mergeServer('.mcp.json', '[]', false)).toMatchObject({ ok: false });
    expect(mergeServer('.mcp.json', '{"mcpServers": 1}', false)).toMatchObject({ ok: false });
    expect(mergeServer('.mcp.json', '{ /* c */ }', false)).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) as unknown });
  });
});
