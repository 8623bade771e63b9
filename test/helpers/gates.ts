import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './repo.js';

export const GATE = path.join(ROOT, 'test', 'fixtures', 'gate.mjs');

/** A gate entry that runs the fake gate command as argv. */
export function gate(name: string, extra: string[] = [], more = ''): string {
  const argv = ['node', GATE, name, ...extra].map((a) => JSON.stringify(a)).join(', ');
  return `  ${name}:\n    run: [${argv}]\n${more}`;
}

export function logLines(dir: string): string[] {
  const file = path.join(dir, 'log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

/** Polls for a state (not a fixed sleep): resolves as soon as it holds, fails after `ms` (generous: CI machines have two cores and the suite runs several orchestras at once). */
export async function waitFor(what: string, test: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!test()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function release(dir: string, name: string, code = 0): void {
  writeFileSync(path.join(dir, `${name}.release`), String(code));
}

/** Whether a process still runs. A zombie (dead, not yet reaped by init) does not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return existsSync(`/proc/${pid}`) || process.platform !== 'linux';
  }
}
