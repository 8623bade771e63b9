// npm run bench:rules: the sqlalchemy rule over 20,000 generated Python files
// (about 200 MB; one in ten a models file, or all of them with BENCH_MIX=models),
// against ripgrep searching the same files for Column\(.
import { spawnSync } from 'node:child_process';
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

const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-bench-rules-'));
try {
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
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

  const time = (cmd, args) => {
    const times = [];
    let status = 0;
    for (let i = 0; i < RUNS + 1; i++) {
      const t0 = performance.now();
      const r = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
      status = r.status ?? -1;
      if (i > 0) times.push(performance.now() - t0); // the first run warms the page cache
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)], status };
  };
  const hasRg = spawnSync('rg', ['--version'], { stdio: 'ignore' }).status === 0;
  const orch = time(process.execPath, [bin, 'check', 'timestamps', '--no-cache']);
  console.log(`${FILES} files (${MIX === 1 ? 'all' : `1 in ${MIX}`} of them SQLAlchemy models), ${(bytes / 1e6).toFixed(0)} MB, ${RUNS} runs each (median)\n`);
  console.log(`orchestra check timestamps --no-cache   ${orch.ms.toFixed(0).padStart(7)} ms  (exit ${orch.status}: it finds the flawed updated_at columns)`);
  if (hasRg) {
    const rg = time('rg', ['--count-matches', 'Column\\(', '.']);
    console.log(`rg --count-matches 'Column\\(' .         ${rg.ms.toFixed(0).padStart(7)} ms`);
    console.log(`ratio                                   ${(orch.ms / rg.ms).toFixed(2)}x ripgrep (aim: <= 2x)`);
  } else {
    console.log('ripgrep is not installed (apt-get install ripgrep): no comparison');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
