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
await bundle(['cli/main.ts', 'exec/worker.ts'], { splitting: true });
