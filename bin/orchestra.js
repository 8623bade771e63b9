#!/usr/bin/env node
// `orchestra check` has an entry of its own (src/cli/check-launch.ts): a pre-push hook starts it on every push.
const entry = process.argv[2] === 'check' ? '../dist/cli/check-launch.js' : '../dist/cli/main.js';
let main;
try {
  ({ main } = await import(entry));
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes(entry.slice(3))) {
    process.stderr.write('orchestra: not built yet: run `npm run build` in the orchestra package\n');
    process.exit(70);
  }
  throw e;
}
process.exitCode = await main(process.argv);
