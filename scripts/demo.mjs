// npm run demo: orchestra's main job on the bundled example, in a temporary
// copy so that examples/ stays clean: validate, plan, then run the team.
import { cpSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin', 'orchestra.js');
const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-demo-'));
cpSync(path.join(root, 'examples', 'orders'), dir, { recursive: true });
const sh = (cmd, args) => spawnSync(cmd, args, { cwd: dir, stdio: 'inherit' }).status ?? 1;
sh('git', ['init', '-q', '-b', 'main']);
sh('git', ['add', '-A']);
sh('git', ['-c', 'user.name=demo', '-c', 'user.email=demo@localhost', 'commit', '-qm', 'the orders service, before the agents']);
console.log(`\n# a copy of examples/orders in ${dir}\n`);
// Extra arguments go to `run` (npm run demo -- --ui: the same, watched in the browser).
for (const args of [['validate'], ['plan'], ['run', ...process.argv.slice(2)]]) {
  console.log(`\n$ orchestra ${args.join(' ')}`);
  const code = sh(process.execPath, [bin, ...args]);
  if (code !== 0) process.exit(code);
}
console.log(`\nLook around: cd ${dir} && git log --oneline --all --graph`);
