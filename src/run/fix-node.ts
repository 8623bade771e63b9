import type { Outcome } from '../exec/scheduler.js';
import type { FixNode } from '../graph/types.js';
import type { PhaseContext } from './context.js';
import { runFixLoop, type FixLoopDeps } from './fix-loop.js';
import type { NodeEnd } from './node-events.js';
import { fixTemplate } from './fix-prompt.js';
import { IntegrationTree } from './integration-tree.js';
import { earlierFix, readPatterns, recordPattern } from './patterns.js';
import { runPhaseGate } from './phase-gate.js';
import { review } from './review.js';
import { linksLeaving } from './link-targets.js';
import { escapingLinks, fixScope, forbiddenGlobs, scopeViolations, showPath } from './scope.js';
import path from 'node:path';

/** The fix agent's scope: what the phase's tasks may touch, never the config, the team, `.git`, `.orchestra` or `.env`. A round outside it is undone. */
async function checkFixRound(ctx: PhaseContext, tree: IntegrationTree, before: string): Promise<string | undefined> {
  const { repo, config } = ctx.run;
  const head = await tree.head();
  if (head === before) return undefined;
  const tasks = config.phases.find((p) => p.id === ctx.phase)?.tasks ?? [];
  const own = ownFiles(config);
  const { paths, links } = await repo.changes(before, head, tree.dir);
  const violations = [...scopeViolations(paths, fixScope(tasks, own)), ...escapingLinks(links), ...linksLeaving(tree.dir, links)];
  if (violations.length === 0) return undefined;
  await repo.raw(['reset', '-q', '--hard', before], tree.dir);
  return `the fix agent changed files outside what it may touch, so its round was undone: ${violations.map((v) => `${showPath(v.path)} (${v.why})`).join(', ')}`;
}

/** The config and team files, from the repository root: no fix agent may change them. */
function ownFiles(config: PhaseContext['run']['config']): string[] {
  return [config.file, config.team?.file].filter((f): f is string => !!f).map((f) => path.relative(config.root, f).split(path.sep).join('/'));
}

/** A phase's fix node: the fix loop, wired to the integration tree, the phase gates, the reviewer and the learned fixes. */
export async function runFixNode(ctx: PhaseContext, node: FixNode, signal: AbortSignal): Promise<Outcome> {
  const run = ctx.run;
  const t0 = run.nodes.started(node.id);
  const from = await ctx.diffBase();
  const tree = new IntegrationTree(run.repo, run.worktrees.integration, run.integrationLock);
  const learned = readPatterns(run.patternsFile);
  const note = (message: string): void => run.nodes.note(node.id, message);
  const deps: FixLoopDeps = {
    // The fix agent can check its repair with the phase's gates before the loop runs them (never required of it).
    agents: { run: (req) => run.agents.run({ ...req, selfCheck: ctx.selfCheck !== 'off' }) },
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
    checkRound: (before) => checkFixRound(ctx, tree, before),
    forbid: forbiddenGlobs(fixScope(run.config.phases.find((p) => p.id === ctx.phase)?.tasks ?? [], ownFiles(run.config))),
    note,
  };
  const spec = { nodeId: node.id, phase: ctx.phase, runId: run.runId, agent: node.agent, attempts: node.attempts, hasReview: node.review !== undefined, from };
  // A git failure inside the loop (a diff, a commit) ends the node with its message: never a node left "running fix".
  const outcome = await runFixLoop(spec, deps, signal).catch((e: unknown): NodeEnd => ({
    status: 'failed',
    reason: 'internal',
    message: `the fix loop stopped: ${e instanceof Error ? e.message : String(e)}`,
  }));
  return run.nodes.finish(node.id, t0, outcome);
}
