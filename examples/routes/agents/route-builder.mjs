// A stand-in agent for the example (no model): it does what the task's prompt asks, as an agent would, and when
// sent back with a merge conflict, it keeps both sides. The real agents do the same in test/agents/run-real.test.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const task = process.env.ORCHESTRA_TASK ?? '';
const prompt = readFileSync(process.env.ORCHESTRA_PROMPT_FILE ?? '/dev/stdin', 'utf8');

if (/-merge-\d+$/.test(task)) {
  // Conflict markers: keep both sides' lines (the routes index and package.json each take one line from either side).
  for (const file of [...prompt.matchAll(/^- (\S+)$/gm)].map((m) => m[1])) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      text.replace(/^<{7}[^\n]*\n([\s\S]*?)^={7}\n([\s\S]*?)^>{7}[^\n]*\n/gm, (_m, ours, theirs) => mergeLines(theirs, ours)),
    );
  }
} else {
  const route = /Add the (\w+) route/.exec(prompt)?.[1];
  const dep = /npm install --save-exact (\S+)\)/.exec(prompt)?.[1];
  writeFileSync(`src/routes/${route}.js`, `module.exports = () => '${route}';\n`);
  const index = readFileSync('src/routes/index.js', 'utf8');
  writeFileSync('src/routes/index.js', index.replace("  'home',\n", `  'home',\n  '${route}',\n`));
  execFileSync('npm', ['install', '--save-exact', '--no-audit', '--no-fund', '--prefer-offline', dep], { stdio: 'inherit' });
}

/** Both sides' lines, each once, a JSON entry's trailing comma put right by the line after it. */
function mergeLines(a, b) {
  const lines = [...new Set([...a.split('\n'), ...b.split('\n')].filter(Boolean).map((l) => l.replace(/,$/, '')))];
  return `${lines.map((l, i) => (i < lines.length - 1 && !/[[{]$/.test(l) ? `${l},` : l)).join('\n')}\n`;
}
