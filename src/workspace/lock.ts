import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createExclusive } from '../util/create-exclusive.js';
import { unreachable } from '../util/unreachable.js';
import { writeFileAtomic } from '../util/write-atomic.js';
import type { Workspace } from './layout.js';
import { judgeLock, type LockInfo, type LockVerdict, type ProcessProbe } from './lock-verdict.js';
import { systemProbe } from './process-probe.js';

export type { LockInfo } from './lock-verdict.js';

/**
 * One run at a time writes to a repo's `.orchestra/`: a lock file holding the
 * writer's pid, run id and what identifies its process (see `lock-verdict.ts`).
 * A lock whose holder is not believed (ended, or forged) is stale and taken over.
 */
export type LockState = { readonly kind: 'none' } | LockVerdict;

/** The lock file and the verdict on it. */
export function inspectLock(ws: Workspace, probe: ProcessProbe = systemProbe()): LockState {
  const text = readText(ws.lockFile);
  return text === undefined ? { kind: 'none' } : judgeLock(text, probe);
}

/** The run holding the lock, if it is believed. */
export function readLock(ws: Workspace, probe: ProcessProbe = systemProbe()): LockInfo | undefined {
  const state = inspectLock(ws, probe);
  return state.kind === 'held' ? state.info : undefined;
}

export type Acquired = { ok: true; release(): void } | { ok: false; holder: LockInfo };

/** How long a taker waits on another's takeover of a stale lock (which takes microseconds) before naming it as the holder. */
const WAIT_MS = 2000;

/**
 * Takes the lock, or names the run that holds it.
 *
 * Race-free without a timeout to guess:
 * - A free lock is made with `createExclusive` (link(2) of a written temp
 *   file): of any number of takers exactly one succeeds.
 * - A stale lock is replaced only by the taker that first creates the claim
 *   file named for the hash of that stale text (`run.lock.takeover-<h>`),
 *   again exclusively. Inside its claim the taker reads the lock once more and
 *   replaces it (rename, so readers never see it missing) only if it is still
 *   that same text: a taker that claims after an earlier one has replaced the
 *   lock and dropped its claim sees the new lock and loses. Removing the stale
 *   file first and then creating would not do: a second taker could remove the
 *   lock the first had just made.
 * - A claim whose claimant died is stale in turn, and is claimed by the claim
 *   named for its own text; every lock text is unique (its token), so no claim
 *   name is ever reused and none has to be broken.
 */
export function acquireLock(ws: Workspace, runId: string, probe: ProcessProbe = systemProbe()): Acquired {
  const file = ws.lockFile;
  const self = probe.view(process.pid);
  const info: LockInfo = {
    pid: process.pid,
    runId,
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    ...(self.kind === 'running' ? { procStart: self.procStart, bootId: probe.bootId, argv: self.argv } : {}),
  };
  const text = JSON.stringify(info);
  const won = (): Acquired => {
    let held = true;
    // Once only, and only while the lock is still this one: never the lock of a run that came after.
    const release = (): void => {
      if (held && readText(file) === text) rmSync(file, { force: true });
      held = false;
    };
    return { ok: true, release };
  };
  const deadline = Date.now() + WAIT_MS;
  let claimant: LockInfo | undefined;
  do {
    if (createExclusive(file, text)) return won();
    const current = readText(file);
    if (current === undefined) continue; // released this moment
    const verdict = judgeLock(current, probe);
    if (verdict.kind === 'held') return { ok: false, holder: verdict.info };
    const took = takeOver(ws, current, text, probe);
    switch (took.kind) {
      case 'won':
        return won();
      case 'busy':
        claimant = took.claimant;
        break;
      case 'changed':
        break;
      default:
        return unreachable(took);
    }
    sleep(10);
  } while (Date.now() < deadline);
  if (claimant) return { ok: false, holder: claimant };
  throw new Error(`could not take ${file}`);
}

type Takeover = { kind: 'won' } | { kind: 'changed' } | { kind: 'busy'; claimant: LockInfo };

/** A claim on a claim on ... the stale lock: as deep as dead claimants go, and no deeper than this. */
const MAX_CLAIMS = 8;

function takeOver(ws: Workspace, staleText: string, mine: string, probe: ProcessProbe): Takeover {
  const deadClaims: string[] = [];
  let target = staleText;
  for (let depth = 0; depth < MAX_CLAIMS; depth++) {
    const claim = ws.lockClaimFile(createHash('sha256').update(target).digest('hex').slice(0, 32));
    if (createExclusive(claim, mine)) {
      try {
        if (readText(ws.lockFile) !== staleText) return { kind: 'changed' };
        writeFileAtomic(ws.lockFile, mine);
        for (const dead of deadClaims) rmSync(dead, { force: true }); // claims on a lock that is gone
        return { kind: 'won' };
      } finally {
        rmSync(claim, { force: true });
      }
    }
    const claimText = readText(claim);
    if (claimText === undefined) return { kind: 'changed' }; // its claimant is done: look at the lock again
    const verdict = judgeLock(claimText, probe);
    if (verdict.kind === 'held') return { kind: 'busy', claimant: verdict.info };
    deadClaims.push(claim);
    target = claimText;
  }
  return { kind: 'changed' };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
