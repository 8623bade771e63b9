// npm run bench:rules: the sqlalchemy rule over 20,000 generated Python files
// (about 200 MB; one in ten a models file, or all of them with BENCH_MIX=models),
// against ripgrep searching the same files for Column\(.
import { spawnSync } from 'node:child_process';
import { hasCommand, paired, printTable } from './bench-lib.mjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin', 'orchestra.js');
const FILES = Number(process.env.BENCH_FILES ?? 20000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MIX = process.env.BENCH_MIX === 'models' ? 1 : 10; // one file in MIX is a models file
const Q3 = '"'.repeat(3);

const model = (i) => {
  const lines = [
    `${Q3}Models of service ${i}.${Q3}`,
    'from datetime import datetime',
    'import sqlalchemy as sa',
    'from sqlalchemy import Column, DateTime, Integer, String, func',
    '',
  ];
  for (let c = 0; c < 24; c++) {
    lines.push(
      `class Model${i}_${c}(Base):`,
      `    __tablename__ = "t_${i}_${c}"`,
      '    id = Column(Integer, primary_key=True)',
      `    name = Column(String(${c + 10}), nullable=False)  # a comment`,
      '    created_at = Column(DateTime(timezone=True), server_default=func.now())',
      c === 0 && i % (MIX * 10) === 0
        ? '    updated_at = Column(DateTime)'
        : '    updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())',
      '    def describe(self):',
      `        return f"{self.name} created {self.created_at:%Y-%m-%d} and padded to look like real code ${'x'.repeat(40)}"`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
};

/** Ordinary service code of about the same size, with no column in it. */
const service = (i) => {
  const lines = [`${Q3}Service ${i}.${Q3}`, 'import logging', 'from typing import Any', '', 'log = logging.getLogger(__name__)', ''];
  for (let c = 0; c < 24; c++) {
    lines.push(
      `def handle_${c}(payload: dict[str, Any]) -> dict[str, Any]:`,
      `    ${Q3}Handle request kind ${c}; the database sets its own timestamps.${Q3}`,
      '    result = {key: value for key, value in payload.items() if value is not None}',
      `    log.info("handled %s with %d keys, padded to look like real code ${'x'.repeat(60)}", ${c}, len(result))`,
      '    if not result:',
      '        raise ValueError("empty payload")',
      '    return result',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
};

/** Writes the corpus into `dir` (a git repo with the sqlalchemy preset, all committed); returns its size in bytes. */
export function makeRulesCorpus(dir, files = FILES) {
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, 'services', `s${Math.floor(i / 500)}`);
    if (i % 500 === 0) mkdirSync(sub, { recursive: true });
    const text = i % MIX === 0 ? model(i) : service(i);
    bytes += text.length;
    writeFileSync(path.join(sub, `module_${i}.py`), text);
  }
  writeFileSync(path.join(dir, 'orchestra.config.yaml'), 'extends: [sqlalchemy]\n');
  // Committed, as a real repo's code is: clean files are known by git's hashes.
  spawnSync('git', ['init', '-q'], { cwd: dir });
  spawnSync('git', ['add', '-A'], { cwd: dir });
  spawnSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'code'], { cwd: dir });
  return bytes;
}

/** The rule against ripgrep over the corpus, paired; rows for the bench's table. */
export function benchRules(dir, { runs = RUNS, files = FILES } = {}) {
  // exit 1: the rule finds the flawed updated_at columns planted in the corpus.
  const orchestra = [process.execPath, [bin, 'check', 'timestamps', '--no-cache'], dir, [1]];
  const label = `sqlalchemy/timestamp-server-default over ${files.toLocaleString('en')} files (${MIX === 1 ? 'all' : `1 in ${MIX}`} models)`;
  if (!hasCommand('rg')) {
    const r = paired({ orchestra }, { runs });
    return [[label, r.orchestra.ms, 'ripgrep is not installed (apt-get install ripgrep): no comparison']];
  }
  const r = paired({ rg: ['rg', ['--count-matches', 'Column\\(', '.'], dir], orchestra }, { runs });
  return [
    [`${label}: rg -c 'Column\\('`, r.rg.ms, ''],
    [`  orchestra check timestamps --no-cache`, r.orchestra.ms, `${r.orchestra.ratio.toFixed(2)}x ripgrep (aim: <= 3x)`],
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-rules-'));
  try {
    const bytes = makeRulesCorpus(dir);
    printTable(benchRules(dir), `${FILES} files, ${(bytes / 1e6).toFixed(0)} MB, ${RUNS} paired runs (median)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
