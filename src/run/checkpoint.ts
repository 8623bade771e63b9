import type { Outcome } from '../exec/scheduler.js';
import type { PhaseContext } from './context.js';

/** A phase's checkpoint: an empty commit on the integration branch, tagged `orchestra/<run>/<phase>`, recorded in the run's state. */
export async function runCheckpoint(ctx: PhaseContext, nodeId: string): Promise<Outcome> {
  const run = ctx.run;
  const t0 = run.nodes.started(nodeId);
  const sha = await run.integrationLock.run(() => run.repo.commitEmpty(run.worktrees.integration, `orchestra: checkpoint ${ctx.phase}\n\nrun: ${run.runId}`));
  const tag = `orchestra/${run.runId}/${ctx.phase}`;
  await run.repo.tag(tag, sha);
  run.checkpointed(ctx.phase, sha);
  run.nodes.note(nodeId, `tagged ${tag} at ${sha.slice(0, 10)}`);
  return run.nodes.finish(nodeId, t0, { status: 'passed' });
}
