// A stand-in for a fix agent: it reads the failing gates' findings from the
// prompt orchestra wrote (lines "- path:line:column: message (rule)") and
// repairs each timestamp column at that line.
import { readFileSync, writeFileSync } from 'node:fs';

const prompt = readFileSync(process.env.ORCHESTRA_PROMPT_FILE, 'utf8');
const findings = [...prompt.matchAll(/^- (\S+?):(\d+):\d+: .*\(sqlalchemy\/timestamp-server-default\)$/gm)];
console.log(`fixer: ${findings.length} findings to repair`);
for (const [, file, line] of findings) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = Number(line) - 1;
  const updated = /updated|modified/.test(lines[i]);
  lines[i] = lines[i].replace(/Column\((.*)\)\s*$/, (_m, args) => `Column(${args}, server_default=func.now()${updated ? ', onupdate=func.now()' : ''})`);
  let text = lines.join('\n');
  if (!/import .*\bfunc\b/.test(text)) text = text.replace(/^from sqlalchemy import (.*)$/m, (_m, names) => `from sqlalchemy import ${names}, func`);
  writeFileSync(file, text);
  console.log(`fixer: repaired ${file}:${line}`);
}
