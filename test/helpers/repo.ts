import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'orchestra.js');

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temporary git repository holding `files` (path → content), in `under` (the temp folder unless named). */
export function makeRepo(files: Record<string, string> = {}, under = tmpdir()): string {
  const dir = mkdtempSync(path.join(under, 'orchestra-test-'));
  made.push(dir);
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  writeFiles(dir, files);
  return dir;
}

/**
 * A temporary folder outside any repository: where test agents and gates keep
 * their control files (release files, logs). Inside the user's tree they
 * would change its status, which `orchestra run` rightly refuses.
 */
export function controlDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-ctl-'));
  made.push(dir);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, in `cwd`, with colours off. */
export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}, onSpawn?: (child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ORCHESTRA_RENDERER: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The `file:line:column` positions at the start of diagnostic lines, in order. */
export function positions(output: string): string[] {
  return [...output.matchAll(/^(\S+:\d+:\d+): (?:error|warning)/gm)].map((m) => m[1] as string);
}

export const TEAM = JSON.stringify(
  {
    agents: [
      { id: 'claude', use: 'claude-code', roles: ['implementer', 'fix-executor'], concurrency: 2 },
      { id: 'codex', use: 'codex', roles: ['implementer', 'reviewer'] },
    ],
  },
  null,
  2,
);

/** The processes (other than this one) whose working directory is inside `dir`: what a run must not leave behind. */
export function processesIn(dir: string): string[] {
  const left: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) left.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return left;
}

let bwrapWorks: boolean | undefined;
/**
 * Whether agents are sandboxed on this machine (bubblewrap installed and able
 * to make its namespaces): what `sandbox: auto` will find. .ci/run installs it.
 */
export function sandboxWorks(): boolean {
  bwrapWorks ??= spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-pid', '--proc', '/proc', 'true']).status === 0;
  return bwrapWorks;
}
