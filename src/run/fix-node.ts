import type { Outcome } from '../exec/scheduler.js';
import type { FixNode } from '../graph/types.js';
import type { PhaseContext } from './context.js';
import { runFixLoop, type FixLoopDeps } from './fix-loop.js';
import { fixTemplate } from './fix-prompt.js';
import { IntegrationTree } from './integration-tree.js';
import { earlierFix, readPatterns, recordPattern } from './patterns.js';
import { runPhaseGate } from './phase-gate.js';
import { review } from './review.js';

/** A phase's fix node: the fix loop, wired to the integration tree, the phase gates, the reviewer and the learned fixes. */
export async function runFixNode(ctx: PhaseContext, node: FixNode, signal: AbortSignal): Promise<Outcome> {
  const run = ctx.run;
  const t0 = run.nodes.started(node.id);
  const from = await ctx.diffBase();
  const tree = new IntegrationTree(run.repo, run.worktrees.integration, run.integrationLock);
  const learned = readPatterns(run.patternsFile);
  const note = (message: string): void => run.nodes.note(node.id, message);
  const deps: FixLoopDeps = {
    agents: run.agents,
    tree,
    template: fixTemplate(run.fixPromptFile),
    failures: () => run.gateOutcomes.failures(ctx.gates),
    rerunGates: async (s) => {
      // The failed gates and everything after them: here, every gate of the phase, in order.
      for (const g of ctx.gates) await runPhaseGate(ctx, g, s);
    },
    review: async (round, s) =>
      node.review ? review(run.agents, tree, { nodeId: node.id, reviewer: node.review, phase: ctx.phase, round, from, signal: s }, note) : undefined,
    earlierFix: (f) => earlierFix(learned, f)?.diff,
    learn: (f, diff) => recordPattern(run.patternsFile, f, ctx.phase, run.runId, diff),
    note,
  };
  const spec = { nodeId: node.id, phase: ctx.phase, runId: run.runId, agent: node.agent, attempts: node.attempts, hasReview: node.review !== undefined, from };
  return run.nodes.finish(node.id, t0, await runFixLoop(spec, deps, signal));
}
