import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fillTemplate } from '../../src/agents/launch.js';
import { Repo } from '../../src/git/repo.js';
import { parseYaml } from '../../src/config/parse-yaml.js';
import { decodeEntry, encodeEntry } from '../../src/exec/gate-cache.js';
import { showPath } from '../../src/run/scope.js';
import { EventTail, MAX_EVENT_LINE, TAIL_CHUNK } from '../../src/serve/event-tail.js';
import { directoryProblem, readableFileProblem, writableFileProblem } from '../../src/util/path-kind.js';

describe('fillTemplate', () => {
  it('substitutes in one pass: a value put in is never searched again', () => {
    const values = { prompt: 'say {{workdir}} and {{prompt_file}}', prompt_file: '/p.md', workdir: '/w' };
    expect(fillTemplate('--task={{prompt}} --in {{workdir}} {{prompt_file}}', values)).toBe('--task=say {{workdir}} and {{prompt_file}} --in /w /p.md');
  });
});

describe('showPath', () => {
  it('leaves a plain path alone and quotes one with a newline, a control character or a quote', () => {
    expect(showPath('app/a b.py')).toBe('app/a b.py');
    expect(showPath('evil\n✓ done')).toBe('"evil\\n✓ done"');
    expect(showPath('a\u001b[31m')).toBe('"a\\u001b[31m"');
    expect(showPath('say "hi"')).toBe('"say \\"hi\\""');
  });
});

describe('gate cache entries', () => {
  const payload = JSON.stringify({ gate: 'g', durationMs: 1, findings: [{ message: 'w' }] });

  it('round-trip', () => {
    expect(decodeEntry(encodeEntry(payload))).toEqual({ findings: [{ message: 'w' }] });
  });

  it.each([
    ['truncated', (e: string) => e.slice(0, -1)],
    ['padded', (e: string) => `${e} `],
    ['edited', (e: string) => e.replace('"w"', '"x"')],
    ['without a header (the old format)', () => payload],
    ['empty', () => ''],
  ])('a %s entry is a miss', (_, spoil) => {
    expect(decodeEntry(spoil(encodeEntry(payload)))).toBeUndefined();
  });
});

describe('path kinds', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kinds-'));
  const file = path.join(dir, 'f.yaml');
  writeFileSync(file, 'x');
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  mkdirSync(path.join(dir, 'd'));

  it('readable: a regular file only', () => {
    expect(readableFileProblem(file)).toBeUndefined();
    expect(readableFileProblem(dir)).toBe(`${dir} is a directory, not a file`);
    expect(readableFileProblem(fifo)).toBe(`${fifo} is a FIFO (named pipe), not a file`);
    expect(readableFileProblem('/dev/null')).toBe('/dev/null is a device, not a file');
    expect(readableFileProblem('/proc/self/status')).toContain('is a /proc or /sys file');
    expect(readableFileProblem(path.join(dir, 'none'))).toBe(`no such file: ${path.join(dir, 'none')}`);
  });

  it('writable: absent or a regular file, under a folder that is one', () => {
    expect(writableFileProblem(file)).toBeUndefined();
    expect(writableFileProblem(path.join(dir, 'new', 'deeper', 'r.xml'))).toBeUndefined();
    expect(writableFileProblem(path.join(dir, 'd'))).toBe(`${path.join(dir, 'd')} is a directory, not a file`);
    expect(writableFileProblem(path.join(file, 'r.xml'))).toBe(`${file} is a file, so ${path.join(file, 'r.xml')} cannot be made`);
    expect(writableFileProblem('/dev/null')).toContain('under /proc, /sys or /dev');
  });

  it('a directory to work in', () => {
    expect(directoryProblem(dir)).toBeUndefined();
    expect(directoryProblem(file)).toBe(`${file} is a file, not a directory`);
  });
});

describe('YAML alias limits', () => {
  it('a few aliases are fine', () => {
    const r = parseYaml('/c.yaml', 'x: &x [a, b]\ny: *x\nz: *x\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual({ x: ['a', 'b'], y: ['a', 'b'], z: ['a', 'b'] });
  });

  it('many values behind few aliases: an error at the alias that crosses the limit', () => {
    const text = `x: &x [${Array.from({ length: 50_001 }, (_, i) => i).join(',')}]\ny: [*x, *x]\n`;
    const r = parseYaml('/c.yaml', text);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('the aliases expand to more than 100000 values')]);
    expect(text.slice(r.diagnostics[0]?.loc?.start, r.diagnostics[0]?.loc?.end)).toBe('*x');
  });
});

describe('EventTail backpressure', () => {
  const record = (lines: number) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tail-')), 'events.jsonl');
    writeFileSync(file, Array.from({ length: lines }, (_, i) => JSON.stringify({ n: i + 1, pad: 'x'.repeat(100) })).join('\n') + '\n');
    return file;
  };

  it('stops reading while the reader is full, and goes on from there on resume, every line once', () => {
    const file = record(20_000); // about 2.4 MB
    const seen: number[] = [];
    let full = true;
    const tail = new EventTail(file, 0, (id) => {
      seen.push(id);
      return !full;
    });
    tail.poll();
    // One chunk's lines at most, not the record.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(TAIL_CHUNK / 100));
    expect(tail.paused).toBe(true);
    tail.poll(); // a timer's poll while full reads nothing
    const before = seen.length;
    expect(seen.length).toBe(before);
    full = false;
    tail.resume();
    expect(seen).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1));
  });

  it('a line longer than the limit is counted and skipped, never held whole', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tail-')), 'events.jsonl');
    writeFileSync(file, `{"n":1}\n${'y'.repeat(MAX_EVENT_LINE + 10)}\n{"n":3}\n`);
    const seen: Array<[number, string]> = [];
    new EventTail(file, 0, (id, line) => seen.push([id, line])).poll();
    expect(seen).toEqual([
      [1, '{"n":1}'],
      [3, '{"n":3}'],
    ]);
  });
});

describe('a diff for a prompt', () => {
  it('is bounded by construction: the stat names every file, the hunks stop at 64 KB, whatever the change size', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'diff-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    writeFileSync(path.join(dir, 'a.txt'), 'a\n');
    git('add', '-A');
    git('commit', '-qm', 'one');
    const from = git('rev-parse', 'HEAD');
    writeFileSync(path.join(dir, 'big.txt'), `${'a line of a very large generated file\n'.repeat(800_000)}`); // 30 MB
    writeFileSync(path.join(dir, 'zzz.txt'), 'last\n');
    git('add', '-A');
    git('commit', '-qm', 'two');
    const diff = await new Repo(dir).diff(from, 'HEAD');
    expect(diff.length).toBeLessThan(100_000);
    expect(diff).toMatch(/^ big\.txt \| 800000 \+{3,}/m);
    expect(diff).toMatch(/^ zzz\.txt \| +1 \+/m);
    expect(diff).toContain('+a line of a very large generated file');
    expect(diff).toContain('… (the diff is cut at 64 KB; the stat above names every file)');
  });
});
