import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/repo.js';

interface Report {
  results: Array<{ name: string; status: string; findings: Array<{ file: string; line: number; column: number; message: string }> }>;
}

/** A models file: settled columns (read from their characters), and in `flawed` files one column that is not. */
function models(i: number, flawed: boolean): string {
  return [
    'from sqlalchemy import Column, DateTime, func',
    '',
    `class M${i}(Base):`,
    '    created_at = Column(DateTime(timezone=True), server_default=func.now())',
    '    updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())',
    flawed
      ? '    modified_at = Column(DateTime(timezone=True), server_default=func.now())'
      : '    modified_at = Column(DateTime, server_default=func.now(), onupdate=func.now())',
    '',
  ].join('\n');
}

const FLAWED = [3, 77, 160, 161, 299, 398];

// 400 files: at concurrency 2 the rule's files go to the worker threads in many batches.
function repo(): string {
  const files: Record<string, string> = { 'orchestra.config.yaml': 'extends: [sqlalchemy]\n' };
  for (let i = 0; i < 400; i++) {
    const name = `app/m${String(i).padStart(3, '0')}.py`;
    files[name] = i % 3 === 0 || FLAWED.includes(i) ? models(i, FLAWED.includes(i)) : `def f${i}():\n    return "created"\n`;
  }
  files['app/blob.py'] = 'created_at = Column(DateTime)\0binary\n';
  return makeRepo(files);
}

describe('a rule over many files, in batches across the worker threads', () => {
  it('finds exactly the flawed columns, in file order, at any concurrency; every file counted once', async () => {
    const dir = repo();
    const want = FLAWED.map((i) => `app/m${String(i).padStart(3, '0')}.py:6:5`);
    for (const concurrency of ['2', '1', '3']) {
      const r = await runCli(['check', 'timestamps', '--no-cache', '--concurrency', concurrency, '--reporter', 'json'], dir);
      expect(r.code, r.stderr).toBe(1);
      const gate = (JSON.parse(r.stdout) as Report).results.find((x) => x.name === 'timestamps');
      expect(gate?.findings.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual(want);
      expect(gate?.findings.every((f) => f.message.startsWith("'modified_at' has no onupdate"))).toBe(true);
    }
    // The binary file is listed but not read as source: 400 of 401 files checked.
    const plain = await runCli(['check', 'timestamps', '--no-cache'], dir);
    const log = /full log: (\S+)/.exec(plain.stdout)?.[1];
    expect(log, plain.stdout).toBeDefined();
    expect(readFileSync(path.join(dir, log as string), 'utf8')).toContain('400 files checked, 6 findings');
  });
});
