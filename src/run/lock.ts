import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One run at a time writes to a repo's `.orchestra/`: a lock file holding the
 * writer's pid and run id, created exclusively. A lock whose process is gone
 * (a killed orchestra) is stale and taken over.
 */
export interface LockInfo {
  readonly pid: number;
  readonly runId: string;
  readonly startedAt: string;
}

export function lockFile(stateDir: string): string {
  return path.join(stateDir, 'run.lock');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(stateDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockFile(stateDir), 'utf8')) as LockInfo;
    return alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock, or names the run that holds it. */
export function acquireLock(stateDir: string, runId: string): { ok: true; release(): void } | { ok: false; holder: LockInfo } {
  const file = lockFile(stateDir);
  const info: LockInfo = { pid: process.pid, runId, startedAt: new Date().toISOString() };
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, JSON.stringify(info), { flag: 'wx' });
      let held = true;
      // Once only: a second call must not remove the lock of a run that came after.
      const release = (): void => {
        if (held) rmSync(file, { force: true });
        held = false;
      };
      return { ok: true, release };
    } catch {
      const holder = readLock(stateDir);
      if (holder) return { ok: false, holder };
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take ${file}`);
}
