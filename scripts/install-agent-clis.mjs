#!/usr/bin/env node
// Installs the pinned agent CLIs (Claude Code, Codex, Gemini CLI) for the real-CLI tests into a cache folder, outside
// the project's node_modules (together they weigh ~750 MB). Idempotent: a marker file records a good install, and a
// second run only checks that the bins are still there.
//
//   node scripts/install-agent-clis.mjs           install if needed, print the bin paths
//   node scripts/install-agent-clis.mjs --json    same, one JSON object on stdout (for test/fixtures/model-server/clis.ts)
//   node scripts/install-agent-clis.mjs --force   reinstall
//
// Folder: $ORCHESTRA_AGENT_CLIS, else ~/.cache/orchestra-test-clis/<hash of the pinned versions, platform and arch>.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, lstatSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PINNED = {
  '@anthropic-ai/claude-code': '2.1.197',
  '@openai/codex': '0.171.0',
  '@google/gemini-cli': '0.61.0',
};

/** bin name, package, and the text its --version prints. */
const BINS = [
  { name: 'claude', pkg: '@anthropic-ai/claude-code', expect: (v) => `${v} (Claude Code)` },
  { name: 'codex', pkg: '@openai/codex', expect: (v) => `codex-cli ${v}` },
  { name: 'gemini', pkg: '@google/gemini-cli', expect: (v) => v },
];

const MARKER = '.orchestra-installed.json';

export function cacheDir() {
  if (process.env.ORCHESTRA_AGENT_CLIS) return path.resolve(process.env.ORCHESTRA_AGENT_CLIS);
  const hash = createHash('sha256')
    .update(JSON.stringify({ PINNED, platform: process.platform, arch: process.arch }))
    .digest('hex')
    .slice(0, 12);
  return path.join(os.homedir(), '.cache', 'orchestra-test-clis', hash);
}

const binPath = (dir, name) => path.join(dir, 'node_modules', '.bin', name);

function versionOf(file) {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}`.trim(), err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim() };
}

/** Bytes on disk under p, each inode once (Claude Code's postinstall hard-links its 245 MB binary). */
function duBytes(p, seen = new Set()) {
  const st = lstatSync(p);
  if (st.isSymbolicLink() || seen.has(st.ino)) return 0;
  seen.add(st.ino);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const e of readdirSync(p)) total += duBytes(path.join(p, e), seen);
  return total;
}

/**
 * npm 11 can skip dependency install scripts that are not approved (allowScripts). Claude Code's postinstall copies its
 * native binary from the platform package over bin/claude.exe; without it the bin is a placeholder. We approve that one
 * script in the cache folder's package.json and, should npm still skip it, run it ourselves.
 */
function ensureClaudeNative(dir, log) {
  const pkgDir = path.join(dir, 'node_modules', '@anthropic-ai', 'claude-code');
  const v = versionOf(binPath(dir, 'claude'));
  if (v.ok) return 'postinstall ran under npm';
  log(`claude --version failed after install (${v.err || v.out}); running its postinstall (node install.cjs) by hand`);
  execFileSync(process.execPath, ['install.cjs'], { cwd: pkgDir, stdio: ['ignore', 'inherit', 'inherit'] });
  return 'postinstall run by install-agent-clis.mjs';
}

function readMarker(dir) {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, MARKER), 'utf8'));
    if (JSON.stringify(m.pinned) !== JSON.stringify(PINNED)) return undefined;
    if (!BINS.every((b) => existsSync(binPath(dir, b.name)))) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Installs if needed; returns { dir, bins: {claude,codex,gemini}, versions, installed: boolean, seconds?, bytes? }. */
export function installAgentClis({ force = false, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const dir = cacheDir();
  const result = (m, installed) => ({
    dir,
    bins: Object.fromEntries(BINS.map((b) => [b.name, binPath(dir, b.name)])),
    versions: PINNED,
    installed,
    seconds: m.seconds,
    bytes: m.bytes,
    claudeNative: m.claudeNative,
  });
  if (!force) {
    const m = readMarker(dir);
    if (m) return result(m, false);
  }

  // One installer at a time (test files may ask in parallel): a lock folder beside the cache folder.
  mkdirSync(path.dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const m = !force && readMarker(dir);
      if (m) return result(m, false);
      // A lock older than 15 minutes is from a crashed installer.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone already
      }
      if (Date.now() > deadline) throw new Error(`install-agent-clis: timed out waiting for ${lock}`);
      sleep(1000);
    }
  }
  try {
    if (!force) {
      const m = readMarker(dir);
      if (m) return result(m, false);
    }
    rmSync(path.join(dir, MARKER), { force: true });
    mkdirSync(dir, { recursive: true });
    // npm 11 runs a dependency's install scripts only when package.json's allowScripts approves them (npm 11.19 still runs
    // unapproved ones with a warning; --allow-scripts on the command line is refused in a project). Claude Code's
    // postinstall is needed; Gemini CLI's optional node-pty / keytar builds are not (it falls back without them).
    const allowScripts = { [`@anthropic-ai/claude-code@${PINNED['@anthropic-ai/claude-code']}`]: true, 'node-pty': false, '@github/keytar': false };
    writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'orchestra-test-clis', private: true, allowScripts }, null, 2)}\n`);
    const specs = Object.entries(PINNED).map(([p, v]) => `${p}@${v}`);
    log(`install-agent-clis: npm install ${specs.join(' ')} into ${dir}`);
    const t0 = Date.now();
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-update-notifier', '--save-exact', ...specs], {
      stdio: ['ignore', 'inherit', 'inherit'],
      cwd: dir,
    });
    if (r.status !== 0) throw new Error(`install-agent-clis: npm install failed (exit ${r.status ?? r.signal}${r.error ? `, ${r.error}` : ''})`);
    const claudeNative = ensureClaudeNative(dir, log);
    const seconds = Math.round((Date.now() - t0) / 100) / 10;
    for (const b of BINS) {
      const v = versionOf(binPath(dir, b.name));
      const want = b.expect(PINNED[b.pkg]);
      if (!v.ok || !v.out.includes(want)) {
        throw new Error(
          `install-agent-clis: ${b.name} --version printed ${JSON.stringify(v.out)} (stderr ${JSON.stringify(v.err)}), expected ${JSON.stringify(want)}`,
        );
      }
    }
    const bytes = duBytes(path.join(dir, 'node_modules'));
    const m = {
      pinned: PINNED,
      seconds,
      bytes,
      claudeNative,
      at: new Date().toISOString(),
      npm: execFileSync(npm, ['--version'], { encoding: 'utf8' }).trim(),
    };
    writeFileSync(path.join(dir, MARKER), `${JSON.stringify(m, null, 2)}\n`);
    log(`install-agent-clis: installed in ${seconds}s, ${(bytes / 1e6).toFixed(0)} MB (${claudeNative})`);
    return result(m, true);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  try {
    const r = installAgentClis({ force: args.includes('--force') });
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
    else {
      process.stdout.write(`${r.installed ? 'installed' : 'already installed'} in ${r.dir}\n`);
      for (const [name, file] of Object.entries(r.bins)) process.stdout.write(`${name}: ${file}\n`);
    }
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
