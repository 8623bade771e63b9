#!/usr/bin/env node
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/main.js')) {
    process.stderr.write('orchestra: not built yet: run `npm run build` in the orchestra package\n');
    process.exit(70);
  }
  throw e;
}
process.exitCode = await main(process.argv);
