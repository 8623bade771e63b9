import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { controlDir, makeRepo, ROOT, runCli } from '../helpers/repo.js';

/** Loaded before the CLI: the config loader's check for team.json throws, as a bug in orchestra would. */
const PLANTED_BUG = `import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const real = fs.existsSync;
fs.existsSync = (p) => { if (String(p).endsWith('team.json')) throw new TypeError('a planted bug'); return real(p); };
syncBuiltinESMExports();
`;

describe('the bundled CLI (dist/ is chunks of src/)', () => {
  it('an internal error is exit 70 with its stack, each frame of the bundle followed by the src/ line it was built from', async () => {
    const ctl = controlDir();
    const preload = path.join(ctl, 'planted-bug.mjs');
    writeFileSync(preload, PLANTED_BUG);
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  a: { run: "true" }\n' });
    const r = await runCli(['validate'], repo, { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` });
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toContain('orchestra: internal error (a bug in orchestra, please report it):\nTypeError: a planted bug\n');
    const frame = r.stderr.split('\n').find((l) => l.includes('at loadConfig '));
    expect(frame).toMatch(/\(file:\/\/\S+\/dist\/chunks\/[\w-]+\.js:\d+:\d+\) \[(\S+)\/src\/config\/load\.ts:\d+:\d+\]$/);
    expect(frame).toContain(`[${path.join(ROOT, 'src', 'config', 'load.ts')}:`);
  });
});
