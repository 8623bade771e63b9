// npm run build: dist/ as shipped. The CLI (src/cli/main.ts) and the pool's
// worker (src/exec/worker.ts) are bundled by esbuild (scripts/bundle.mjs), their
// dependencies included: a start-up of orchestra loads a few dozen chunks
// instead of ~110 ES modules (yaml alone is 73). Each dynamic import() stays a
// chunk of its own, so what a command does not use is still not loaded. No type
// check here: that is `npm run typecheck` (tsc takes longer than the bundle).
import { rmSync } from 'node:fs';
import { bundle, dist } from './bundle.mjs';

rmSync(dist, { recursive: true, force: true });
// The schema validators, compiled by ajv to dist/config/schema-validators.js (vitest reads them there too).
await import('./build-schemas.mjs');
await Promise.all([
  bundle(['cli/main.ts', 'exec/worker.ts'], { splitting: true }),
  // `orchestra check` from an entry of its own (bin/orchestra.js picks it): one CommonJS file that
  // dist/cli/check-launch.js runs with a V8 code cache, so that a cached pre-push hook loads one file,
  // compiled already, instead of ~50 chunks compiled on every push.
  bundle(['cli/check-main.ts'], { splitting: false, format: 'cjs' }),
  bundle(['cli/check-launch.ts'], { splitting: false }),
]);
