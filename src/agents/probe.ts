import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { PreflightContext, Probe, ProbeResult } from './preflight.js';

/** Output kept per stream: a help text is a few kilobytes. */
const KEEP = 256 * 1024;

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The probe that looks at this machine: PATH lookups, files, and the CLIs themselves in their own process group. */
const systemProbe: Probe = {
  which(bin, env, cwd) {
    if (bin.includes('/')) {
      const file = path.resolve(cwd, bin);
      return executable(file) ? file : undefined;
    }
    for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
      if (dir === '') continue;
      const file = path.resolve(cwd, dir, bin);
      if (executable(file)) return file;
    }
    return undefined;
  },

  run(argv, env, cwd, timeoutMs) {
    return new Promise<ProbeResult>((resolve) => {
      const clean = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
      const child = spawn(argv[0] as string, argv.slice(1), { cwd, env: clean, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let error: string | undefined;
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < KEEP) stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < KEEP) stderr += d.toString();
      });
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, timeoutMs);
      child.on('error', (e) => {
        error = e.message;
      });
      // Whatever it left behind (and holding the pipes open) goes with it.
      child.on('exit', () => killGroup(child.pid));
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: timedOut ? null : code, stdout, stderr, ...(timedOut ? { timedOut } : {}), ...(error !== undefined ? { error } : {}) });
      });
    });
  },

  readFile(file) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
};

/** What `doctor` and `run` check with: this process's environment and home. */
export function systemContext(root: string): PreflightContext {
  return { probe: systemProbe, env: process.env, root, home: homedir() };
}
