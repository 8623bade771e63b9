import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheFile, cacheKey, decodeCache } from '../../src/cli/code-cache.js';
import { BIN, makeRepo, ROOT } from '../helpers/repo.js';

const made: string[] = [];
afterAll(() => {
  for (const f of made) rmSync(f, { recursive: true, force: true });
});

const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ORCHESTRA_RENDERER: '' };
const run = (bin: string, args: string[], cwd: string) =>
  spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The whole CLI (dist/cli/main.js), which bin/orchestra.js no longer starts for `check`. */
const runWhole = (args: string[], cwd: string) =>
  spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      'const { main } = await import(process.env.MAIN); process.exitCode = await main(["node", "orchestra", ...JSON.parse(process.env.ARGS)]);',
    ],
    { cwd, env: { ...env, MAIN: pathToFileURL(path.join(ROOT, 'dist', 'cli', 'main.js')).href, ARGS: JSON.stringify(args) }, encoding: 'utf8' },
  );

/** The package as built, in a folder of its own (its node_modules the checkout's): a code cache of its own. */
function copyOfPackage(): { bin: string; bundle: string; cache: string; key: () => Buffer } {
  const pkg = mkdtempSync(path.join(tmpdir(), 'orchestra-pkg-'));
  made.push(pkg);
  for (const part of ['bin', 'dist', 'libexec', 'presets', 'package.json']) cpSync(path.join(ROOT, part), path.join(pkg, part), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  const bundle = path.join(pkg, 'dist', 'cli', 'check-main.cjs');
  const cache = cacheFile(bundle, pkg);
  made.push(cache);
  return { bin: path.join(pkg, 'bin', 'orchestra.js'), bundle, cache, key: () => cacheKey(readFileSync(bundle), `${process.version} ${process.arch}`) };
}

describe('orchestra check from its own entry (dist/cli/check-main.cjs)', () => {
  it('parses a command line as the whole CLI does: help, version, mistakes', () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  a: { run: "true" }\nhooks:\n  pre-push: [a]\n' });
    for (const args of [
      ['check', '--help'],
      ['check', '--version'],
      ['check', '--bogus'],
      ['check', '--concurrency', '0'],
      ['check', '--timeout', 'soon'],
      ['check', '--hook', 'pre-comit'],
      ['check', '--hook', 'pre-commit'],
      ['check', 'nope'],
      ['check', '--reporter', 'xml'],
    ]) {
      const entry = run(BIN, args, repo);
      const whole = runWhole(args, repo);
      expect({ code: entry.status, stdout: entry.stdout, stderr: entry.stderr }, args.join(' ')).toEqual({
        code: whole.status,
        stdout: whole.stdout,
        stderr: whole.stderr,
      });
    }
  });

  it('makes its code cache on the first run; a torn, garbage or foreign cache is a miss, never a crash, and is made again', () => {
    const pkg = copyOfPackage();
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  a: { run: "true", inputs: ["x.txt"] }\n', 'x.txt': 'x\n' });
    const first = run(pkg.bin, ['check'], repo);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('1 passed');
    expect(decodeCache(readFileSync(pkg.cache), pkg.key())).toBeDefined();
    const good = readFileSync(pkg.cache);

    const torn = good.subarray(0, Math.floor(good.length / 2));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 100] = (flipped[flipped.length - 100] as number) ^ 0xff;
    for (const bad of [torn, flipped, Buffer.from('not a cache at all'), Buffer.alloc(0)]) {
      writeFileSync(pkg.cache, bad);
      const r = run(pkg.bin, ['check'], repo);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 cached');
      expect(r.stderr).toBe('');
      expect(decodeCache(readFileSync(pkg.cache), pkg.key())).toBeDefined();
    }
    // A FIFO where the cache goes: read, it would never end.
    rmSync(pkg.cache);
    execFileSync('mkfifo', [pkg.cache]);
    const fifo = run(pkg.bin, ['check'], repo);
    expect(fifo.status, fifo.stderr).toBe(0);
    expect(fifo.stdout).toContain('1 cached');
    expect(decodeCache(readFileSync(pkg.cache), pkg.key())).toBeDefined();
  });

  it("a config over 1 MB (which changes V8's heap flags) leaves the code cache alone: made under other flags, V8 would reject it at every start", () => {
    const pkg = copyOfPackage();
    const big = `# ${'x'.repeat(1100 * 1024)}\ngates:\n  a: { run: "true", inputs: ["x.txt"] }\n`;
    const repo = makeRepo({ 'orchestra.config.yaml': big, 'x.txt': 'x\n' });
    for (let i = 0; i < 2; i++) {
      const r = run(pkg.bin, ['check'], repo);
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(pkg.cache)).toBe(false);
    }
    // With an ordinary config the cache is made, and a large one after it neither rejects nor rewrites it.
    const small = makeRepo({ 'orchestra.config.yaml': 'gates:\n  a: { run: "true" }\n' });
    expect(run(pkg.bin, ['check'], small).status).toBe(0);
    const made = readFileSync(pkg.cache);
    expect(run(pkg.bin, ['check'], repo).status).toBe(0);
    expect(readFileSync(pkg.cache).equals(made)).toBe(true);
  });

  it('never runs the code of another build: a cache made for a bundle of the same length is a miss (V8 checks only the length)', () => {
    const pkg = copyOfPackage();
    const repo = makeRepo({ 'orchestra.config.yaml': 'gates:\n  a: { run: "true" }\n' });
    expect(run(pkg.bin, ['check', '--help'], repo).stdout).toContain('run the top-level gates');
    expect(existsSync(pkg.cache)).toBe(true);
    // Another build, byte for byte as long: the description the help prints differs.
    const text = readFileSync(pkg.bundle, 'latin1');
    expect(text).toContain('run the top-level gates');
    writeFileSync(pkg.bundle, text.replace('run the top-level gates', 'RUN the top-level gates'), 'latin1');
    const r = run(pkg.bin, ['check', '--help'], repo);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('RUN the top-level gates');
  });
});
