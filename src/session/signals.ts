import type { WorkerPool } from '../exec/pool.js';
import type { GroupLog } from '../workspace/process-groups.js';

/** Ctrl-C / SIGTERM: the first stops everything gracefully, a second kills at once; orchestra's own exit takes its process groups along. */
export function handleSignals(pool: { killAll(): void }, abort: AbortController): { dispose(): void } {
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\norchestra: stopping every process it started (Ctrl-C again to kill at once)\n');
      abort.abort();
    } else {
      pool.killAll();
    }
  };
  const onExit = (): void => pool.killAll();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  return {
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('exit', onExit);
    },
  };
}

/** A pool of `concurrency` workers and the signal handling around one piece of work; everything is released after. */
export async function withPool<T>(concurrency: number, work: (pool: WorkerPool, signal: AbortSignal) => Promise<T>, groupsFile?: string): Promise<T> {
  const { WorkerPool: Pool } = await import('../exec/pool.js');
  const log = groupsFile === undefined ? undefined : await groupLog(groupsFile);
  const pool = new Pool(concurrency, log);
  const abort = new AbortController();
  const signals = handleSignals(pool, abort);
  try {
    return await work(pool, abort.signal);
  } finally {
    await pool.destroy();
    signals.dispose();
    log?.close();
  }
}

async function groupLog(file: string): Promise<GroupLog> {
  const [{ recordGroups }, { startOf, systemProbe }] = await Promise.all([import('../workspace/process-groups.js'), import('../workspace/process-probe.js')]);
  return recordGroups(file, { startOf, bootId: systemProbe().bootId });
}
