import { describe, expect, it } from 'vitest';
import type { OrchestraEvent } from '../../src/events/events.js';
import { editDiff } from '../../src/logger/edit-diff.js';
import { styleFor } from '../../src/logger/style.js';
import { transcriptOf } from '../../src/logger/transcript.js';
import { transcriptLines } from '../../src/logger/transcript-text.js';

const plain = styleFor({ isTTY: false } as NodeJS.WriteStream);
const ev = (ts: number, nodeId: string, event: Extract<OrchestraEvent, { type: 'agent-event' }>['event']): OrchestraEvent => ({
  type: 'agent-event',
  ts,
  nodeId,
  agent: 'claude',
  event,
});

const record: OrchestraEvent[] = [
  { type: 'node-started', ts: 1000, nodeId: 'task:p/a', attempt: 1 },
  ev(1100, 'task:p/a', { kind: 'session', id: 's1', model: 'opus' }),
  ev(1200, 'task:p/a', { kind: 'message', text: 'I will write it.' }),
  ev(1300, 'task:p/a', { kind: 'tool-use', id: 't1', name: 'Write', input: { file_path: '/w/a.py', content: 'x = 1\ny = 2\n' } }),
  ev(1350, 'task:p/a', { kind: 'tool-use', id: 't2', name: 'Bash', input: { command: 'pytest -q' } }),
  ev(1400, 'task:p/a', { kind: 'tool-result', id: 't1', ok: true, output: 'File created' }),
  ev(2350, 'task:p/a', { kind: 'tool-result', id: 't2', ok: false, output: '1 failed\nmore' }),
  ev(2400, 'task:p/a', { kind: 'tool-use', id: 't3', name: 'Edit', input: { file_path: '/w/a.py', old_string: 'x = 1\ny = 2', new_string: 'x = 1\ny = 3' } }),
  ev(2450, 'task:p/a', { kind: 'tool-result', id: 't3', ok: true }),
  ev(2500, 'task:p/a', { kind: 'message', text: 'Done: y is 3.' }),
  { type: 'agent-finished', ts: 2600, nodeId: 'task:p/a', agent: 'claude', ok: true, usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 } },
  { type: 'node-started', ts: 3000, nodeId: 'task:p/b', attempt: 1 },
  ev(3100, 'task:p/b', { kind: 'message', text: 'other node' }),
];

describe('transcript', () => {
  it('turns agent events into messages, one entry per tool call with outcome and duration, edits as diffs, and the final answer', () => {
    const [a, ...rest] = transcriptOf(record, 'task:p/a');
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      runAs: 'task:p/a',
      attempt: 1,
      agent: 'claude',
      model: 'opus',
      startedAt: 1000,
      endedAt: 2600,
      ok: true,
      final: 'Done: y is 3.',
    });
    expect(a!.usage).toEqual({ inputTokens: 10, outputTokens: 5, costUsd: 0.01 });
    expect(a!.entries).toEqual([
      { kind: 'message', ts: 1200, text: 'I will write it.' },
      { kind: 'tool', ts: 1300, name: 'Write', subject: '/w/a.py', outcome: 'ok', durationMs: 100, diff: ['+x = 1', '+y = 2'] },
      { kind: 'tool', ts: 1350, name: 'Bash', subject: 'pytest -q', outcome: 'error', durationMs: 1000, output: '1 failed\nmore' },
      { kind: 'tool', ts: 2400, name: 'Edit', subject: '/w/a.py', outcome: 'ok', durationMs: 50, diff: ['-y = 2', '+y = 3'] },
      { kind: 'message', ts: 2500, text: 'Done: y is 3.' },
    ]);
  });

  it('keeps attempts and fix rounds apart, answers a result without an id to the oldest waiting call, and leaves a running call pending', () => {
    const events: OrchestraEvent[] = [
      { type: 'node-started', ts: 0, nodeId: 'fix:p#1', attempt: 1 },
      ev(10, 'fix:p#1', { kind: 'tool-use', name: 'shell', input: { command: 'ls' } }),
      ev(20, 'fix:p#1', { kind: 'tool-result', ok: true }),
      { type: 'agent-finished', ts: 30, nodeId: 'fix:p#1', agent: 'claude', ok: false, usage: {}, failure: { class: 'transient', reason: 'rate limit' } },
      { type: 'node-started', ts: 40, nodeId: 'fix:p#2', attempt: 1 },
      ev(50, 'fix:p#2', { kind: 'tool-use', name: 'shell', input: { command: 'make' } }),
    ];
    const t = transcriptOf(events, 'fix:p');
    expect(t.map((a) => [a.runAs, a.ok, a.failure, a.final])).toEqual([
      ['fix:p#1', false, 'transient: rate limit', undefined],
      ['fix:p#2', undefined, undefined, undefined],
    ]);
    expect(t[0]!.entries).toMatchObject([{ name: 'shell', outcome: 'ok', durationMs: 10 }]);
    expect(t[1]!.entries).toMatchObject([{ name: 'shell', subject: 'make', outcome: 'pending' }]);
    expect(transcriptOf(events, 'fix:q')).toEqual([]);
  });

  it('prints for the terminal, and with settled only, stops before a call still waiting', () => {
    const text = transcriptLines(transcriptOf(record, 'task:p/a'), plain).join('\n');
    expect(text).toBe(
      [
        '── claude, attempt 1 (opus)',
        'said  I will write it.',
        '✓ Write /w/a.py 100ms',
        '    +x = 1',
        '    +y = 2',
        '✗ Bash pytest -q 1.0s',
        '    1 failed',
        '✓ Edit /w/a.py 50ms',
        '    -y = 2',
        '    +y = 3',
        'final answer: Done: y is 3.',
        'done in 1.6s · 10 in / 5 out tokens · $0.0100',
      ].join('\n'),
    );
    const running = transcriptOf(record.slice(0, 5), 'task:p/a');
    expect(transcriptLines(running, plain).at(-1)).toBe('… still working');
    expect(transcriptLines(running, plain, true)).toEqual(['── claude, attempt 1 (opus)', 'said  I will write it.']);
    // What `logs -f` prints as the record grows is never taken back: each settled view starts with the one before.
    let before: string[] = [];
    for (let n = 1; n <= record.length; n++) {
      const now = transcriptLines(transcriptOf(record.slice(0, n), 'task:p/a'), plain, true);
      expect(now.slice(0, before.length)).toEqual(before);
      before = now;
    }
    expect(before.join('\n')).toBe(text);
  });
});

describe('edit diffs from tool input', () => {
  it('Write: every line added; Edit: the changed lines only; MultiEdit: each edit; apply_patch: its +/- lines; others: none', () => {
    expect(editDiff('Write', { file_path: 'a', content: 'a\nb' })).toEqual(['+a', '+b']);
    expect(editDiff('write_file', { file_path: 'a', content: '' })).toEqual([]);
    expect(editDiff('replace', { file_path: 'a', old_string: 'k\nold\nk2', new_string: 'k\nnew\nk2' })).toEqual(['-old', '+new']);
    expect(
      editDiff('MultiEdit', {
        edits: [
          { old_string: 'a', new_string: 'b' },
          { old_string: 'c', new_string: 'd' },
        ],
      }),
    ).toEqual(['-a', '+b', '…', '-c', '+d']);
    expect(editDiff('apply_patch', '*** Begin Patch\n*** Add File: x\n+one\n*** End Patch')).toEqual([
      '*** Begin Patch',
      '*** Add File: x',
      '+one',
      '*** End Patch',
    ]);
    expect(editDiff('Bash', { command: 'ls' })).toBeUndefined();
    expect(editDiff('Read', 'x')).toBeUndefined();
    const long = editDiff('Write', { content: Array.from({ length: 50 }, (_, i) => `l${i}`).join('\n') })!;
    expect(long).toHaveLength(41);
    expect(long.at(-1)).toBe('… 10 more lines');
  });
});
