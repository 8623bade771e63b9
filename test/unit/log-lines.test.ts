import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogLines, MAX_LINE } from '../../src/exec/log-lines.js';

const tempFile = (): string => path.join(mkdtempSync(path.join(tmpdir(), 'log-lines-')), 'agent.log');

describe('LogLines', () => {
  it('gives each line once, as soon as it is complete, and the unfinished one at the end', () => {
    const file = tempFile();
    const lines = new LogLines(file);
    expect(lines.read()).toEqual([]); // not written yet
    writeFileSync(file, '{"a":1}\n{"b":');
    expect(lines.read()).toEqual(['{"a":1}']);
    appendFileSync(file, '2}\n\n{"c"');
    expect(lines.read()).toEqual(['{"b":2}', '']);
    expect(lines.read()).toEqual([]);
    expect(lines.read(true)).toEqual(['{"c"']);
  });

  it('decodes a character split between two writes once, whole', () => {
    const file = tempFile();
    const lines = new LogLines(file);
    const bytes = Buffer.from('héllo ✓\n', 'utf8');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of ✓
    writeFileSync(file, bytes.subarray(0, cut));
    expect(lines.read()).toEqual([]);
    appendFileSync(file, bytes.subarray(cut));
    expect(lines.read()).toEqual(['héllo ✓']);
  });

  it('drops a line longer than its limit instead of holding it, and goes on with the next', () => {
    const file = tempFile();
    const lines = new LogLines(file);
    writeFileSync(file, 'x'.repeat(MAX_LINE + 10));
    expect(lines.read()).toEqual([]);
    appendFileSync(file, 'still the long line\nnext\n');
    expect(lines.read()).toEqual(['next']);
  });

  it('reads a log larger than one read in full at the end', () => {
    const file = tempFile();
    const many = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'y'.repeat(40)}`);
    writeFileSync(file, `${many.join('\n')}\n`);
    const lines = new LogLines(file);
    expect(lines.read(true)).toEqual(many);
  });
});
