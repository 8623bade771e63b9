import type { RunsAgents } from './agent-request.js';
import { parseVerdict, reviewPrompt, type GateFailure } from './fix-prompt.js';
import type { WorkTree } from './integration-tree.js';

export interface ReviewRequest {
  /** The fix node the review belongs to: its rounds are `<node>#review<round>`. */
  readonly nodeId: string;
  /** The reviewer: an agent id or a role. */
  readonly reviewer: string;
  readonly phase: string;
  readonly round: number;
  /** What the phase's changes are diffed against. */
  readonly from: string;
  readonly signal: AbortSignal;
}

/**
 * Once the gates pass, the reviewer reads the phase's diff: undefined when it
 * approves, else the changes it asks for, as a failure the fix loop hands on.
 */
export async function review(agents: RunsAgents, tree: WorkTree, req: ReviewRequest, note: (message: string) => void): Promise<GateFailure | undefined> {
  const diff = await tree.diff(req.from, 'HEAD');
  const r = await tree.exclusive(() =>
    agents.run({
      nodeId: `${req.nodeId}#review${req.round}`,
      ref: req.reviewer,
      phase: req.phase,
      label: `review-${req.round}`,
      prompt: reviewPrompt(req.phase, diff),
      cwd: tree.dir,
      signal: req.signal,
      exitIsAnswer: true,
    }),
  );
  const verdict = parseVerdict(r.outcome.final ?? '', r.tail, r.exitCode ?? (r.outcome.ok ? 0 : 1));
  note(verdict.approve ? `review ${req.round}: approved` : `review ${req.round}: changes asked for`);
  if (verdict.approve) return undefined;
  return {
    gate: 'review',
    command: `review by ${r.agent?.id ?? req.reviewer}`,
    exitCode: r.exitCode ?? null,
    message: 'the reviewer asked for changes',
    findings: [],
    tail: verdict.comments,
  };
}
