import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/config/diagnostic.js';
import { SourceText } from '../../src/config/source-text.js';
import { displayPath, formatDiagnostics } from '../../src/logger/diagnostic-printer.js';
import { plain } from '../../src/logger/style.js';

/**
 * The printer works out each place once and keeps the last display path
 * (300,000 diagnostics of one file, issue 20); what it prints stays as it was:
 * these expectations were printed by the printer before that change.
 */
const a = '/r/a.yaml';
const b = '/r/sub/b.yaml';
const far = '/elsewhere/deep/x/c.yaml';
const ta = 'gates:\n  g0: { run: 0 }\n  g1:\n    run: "two\n      lines"\r\n\tbad: \u0007x\n';
const tb = `x: ${'y'.repeat(300)}\nlast`;
const sources = new Map([
  [a, new SourceText(a, ta)],
  [b, new SourceText(b, tb)],
  [far, new SourceText(far, 'k: v\n')],
]);
const e = (message: string, file: string, start: number, end: number, extra: Partial<Diagnostic> = {}): Diagnostic => ({
  severity: 'error',
  message,
  loc: { file, start, end },
  ...extra,
});
const ds: Diagnostic[] = [
  e('one char', a, 17, 18),
  e('to the next line', a, ta.indexOf('"two'), ta.indexOf('lines"') + 6),
  { severity: 'warning', message: 'a tab and a bell', loc: { file: a, start: ta.indexOf('\tbad'), end: ta.indexOf('x\n') + 1 }, hint: 'fix it' },
  e('long line', b, 250, 260),
  e('empty span', b, tb.length, tb.length),
  e('after the newline', a, 6, 7),
  e('far away', far, 0, 1, { related: [{ loc: { file: a, start: 9, end: 11 }, message: 'here' }] }),
  { severity: 'error', message: 'no place', hint: 'a hint' },
  e('no source', '/r/none.yaml', 3, 4),
];

describe('formatDiagnostics', () => {
  it('files, spans over lines, tabs and control characters, a long line, notes: as printed before', () => {
    expect(formatDiagnostics(ds, sources, '/r', plain)).toBe(
      [
        'a.yaml:2:11: error: one char',
        '  2 |   g0: { run: 0 }',
        '    |           ~',
        '',
        'a.yaml:4:10: error: to the next line',
        '  4 |     run: "two',
        '    |          ~~~~',
        '',
        'a.yaml:6:1: warning: a tab and a bell',
        '  6 |  bad: ?x',
        '    | ~~~~~~~~',
        '  hint: fix it',
        '',
        'sub/b.yaml:1:251: error: long line',
        '  1 | …yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy',
        '    |                                                                                                             ~~~~~~~~~~',
        '',
        'sub/b.yaml:2:5: error: empty span',
        '  2 | last',
        '    |     ~',
        '',
        'a.yaml:1:7: error: after the newline',
        '  1 | gates:',
        '    |       ~',
        '',
        '../elsewhere/deep/x/c.yaml:1:1: error: far away',
        '  1 | k: v',
        '    | ~',
        '  a.yaml:2:3: note: here',
        '',
        'orchestra: error: no place',
        '  a hint',
        '',
        'none.yaml:1:1: error: no source',
      ].join('\n'),
    );
  });

  it('the same diagnostics from another directory: every path relative to it', () => {
    expect(formatDiagnostics(ds, sources, '/r/sub', plain)).toBe(
      [
        '../a.yaml:2:11: error: one char',
        '  2 |   g0: { run: 0 }',
        '    |           ~',
        '',
        '../a.yaml:4:10: error: to the next line',
        '  4 |     run: "two',
        '    |          ~~~~',
        '',
        '../a.yaml:6:1: warning: a tab and a bell',
        '  6 |  bad: ?x',
        '    | ~~~~~~~~',
        '  hint: fix it',
        '',
        'b.yaml:1:251: error: long line',
        '  1 | …yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy',
        '    |                                                                                                             ~~~~~~~~~~',
        '',
        'b.yaml:2:5: error: empty span',
        '  2 | last',
        '    |     ~',
        '',
        '../a.yaml:1:7: error: after the newline',
        '  1 | gates:',
        '    |       ~',
        '',
        '../../elsewhere/deep/x/c.yaml:1:1: error: far away',
        '  1 | k: v',
        '    | ~',
        '  ../a.yaml:2:3: note: here',
        '',
        'orchestra: error: no place',
        '  a hint',
        '',
        '../none.yaml:1:1: error: no source',
      ].join('\n'),
    );
  });

  it('displayPath answers for the file and directory asked, one after another', () => {
    expect([displayPath(a, '/r'), displayPath(a, '/r/sub'), displayPath(b, '/r/sub'), displayPath(a, '/r'), displayPath(far, '/r/sub/x')]).toEqual([
      'a.yaml',
      '../a.yaml',
      'b.yaml',
      'a.yaml',
      far,
    ]);
  });
});
