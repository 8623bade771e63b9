import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Workspace } from './layout.js';

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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's contents, believed only when they have the right shape: a pid of 0, 1 or below would signal far more than one run. */
function parseLock(text: string): LockInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { pid, runId, startedAt } = v as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 1) return undefined;
  if (typeof runId !== 'string' || typeof startedAt !== 'string') return undefined;
  return { pid, runId, startedAt };
}

/** The run holding the lock, if its process is alive. */
export function readLock(ws: Workspace): LockInfo | undefined {
  let text: string;
  try {
    text = readFileSync(ws.lockFile, 'utf8');
  } catch {
    return undefined;
  }
  const info = parseLock(text);
  return info && alive(info.pid) ? info : undefined;
}

/** Takes the lock, or names the run that holds it. */
export function acquireLock(ws: Workspace, runId: string): { ok: true; release(): void } | { ok: false; holder: LockInfo } {
  const file = ws.lockFile;
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
      const holder = readLock(ws);
      if (holder) return { ok: false, holder };
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take ${file}`);
}
