import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/events.js';
import { topLevelGates } from '../../src/exec/gate-selection.js';
import type { WorkerPool } from '../../src/exec/pool.js';
import { runGates } from '../../src/exec/run-gates.js';
import type { Job, RuleResult } from '../../src/exec/worker.js';
import { compile } from '../../src/graph/compile.js';
import { Workspace } from '../../src/workspace/layout.js';
import { configOf } from '../helpers/config.js';

/**
 * A pool whose threads take as long to start as the test says: it records
 * in what order the rule gate asked for the threads and handed out its files.
 */
class SlowPool {
  readonly order: string[] = [];
  #started: (() => void) | undefined;

  warm(): Promise<void> {
    this.order.push('warm');
    return new Promise((resolve) => {
      this.#started = () => {
        this.order.push('threads started');
        resolve();
      };
    });
  }

  /** Starts the threads once git has listed the files (the rule gate waits on both). */
  startThreads(): void {
    this.#started?.();
  }

  async runRule(job: Extract<Job, { kind: 'rule' }>): Promise<RuleResult> {
    this.order.push(`rule job (${job.files.length} files)`);
    return { findings: [], filesChecked: job.files.length };
  }
}

describe('a rule gate without the cache', () => {
  it('hands out no file before the threads it warmed have started, however late they start', async () => {
    const config = await configOf('extends: [sqlalchemy]\n', { 'app/models.py': 'created_at = Column(DateTime, server_default=func.now())\n' });
    const graph = compile(config).graph;
    if (!graph) throw new Error('the config did not compile');
    const pool = new SlowPool();
    const running = runGates({
      config,
      graph: topLevelGates(graph),
      only: new Set(['gate:timestamps']),
      runId: 'r1',
      ws: Workspace.of(config.root),
      concurrency: 2,
      keepGoing: true,
      useCache: false,
      graceMs: 100,
      bus: new EventBus(),
      pool: pool as unknown as WorkerPool,
      signal: new AbortController().signal,
    });
    // Long enough for git to list the files and for the gate to be scheduled: it must still wait.
    for (let i = 0; i < 50 && !pool.order.some((o) => o.startsWith('rule')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(pool.order).toEqual(['warm']);
    pool.startThreads();
    const result = await running;
    expect(result.ok).toBe(true);
    expect(pool.order).toEqual(['warm', 'threads started', 'rule job (1 files)']);
  });
});
