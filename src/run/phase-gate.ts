import { indexFiles } from '../exec/file-index.js';
import { runGateOnce } from '../exec/run-gates.js';
import type { Outcome } from '../exec/scheduler.js';
import type { GateNode } from '../graph/types.js';
import type { PhaseContext } from './context.js';

/**
 * A phase gate, run in the integration worktree (never cached: the tree is
 * new). Its result reaches the fix loop through its events. With a fix loop,
 * a failing gate is the fix node's to handle, so the scheduler is told it
 * passed and the phase goes on to the fix node.
 */
export async function runPhaseGate(ctx: PhaseContext, node: GateNode, signal: AbortSignal): Promise<Outcome> {
  const run = ctx.run;
  const t0 = run.nodes.started(node.id);
  const root = run.worktrees.integration;
  // The gates see the worktree the tasks saw: set up, and set up again when a lockfile changed.
  const unready = await run.setup.integrationReady(root, node.id, signal);
  if (unready) {
    run.nodes.finish(node.id, t0, { status: 'failed', reason: 'setup', message: unready });
    // Not the fix agent's to fix: the phase stops here.
    return { status: 'failed' };
  }
  const index = node.gate.rule ? await indexFiles(root) : undefined;
  const env = {
    config: run.config,
    root,
    runId: run.runId,
    concurrency: run.concurrency,
    graceMs: run.graceMs,
    bus: run.bus,
    pool: run.pool,
    ...(run.contain ? { contain: run.contain } : {}),
  };
  const result = await runGateOnce(node.gate, node.id, run.runDir.logFile(node.id), signal, env, index);
  const failed = result.reason !== undefined;
  run.nodes.finish(node.id, t0, {
    status: failed ? 'failed' : 'passed',
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.message ? { message: result.message } : {}),
    tail: result.tail,
    exitCode: result.exitCode,
  });
  return { status: failed && !ctx.hasFix ? 'failed' : 'passed' };
}
