/**
 * What a task's agent is told about checking its own work with orchestra's
 * MCP server, and what it is told when `self_check: required` sends it back.
 * Pure.
 */

/** The lines added to a task's prompt when its phase offers the server; none for a phase without gates. */
export function selfCheckAsk(gates: readonly string[]): string {
  if (gates.length === 0) return '';
  return [
    '',
    '',
    `Before you say you are done, check your work: call the \`check_gate\` tool of the \`orchestra\` MCP server. It runs this phase's gates (${gates.join(', ')}) on the files of your worktree.`,
    'If a gate fails, fix what it reports and call check_gate again, until every gate passes.',
  ].join('\n');
}

export type SelfCheckVerdict = { readonly kind: 'checked' } | { readonly kind: 'never' } | { readonly kind: 'failed'; readonly gates: readonly string[] };

/** Did the agent end on a passing check? From its calls in order. */
export function selfCheckVerdict(calls: ReadonlyArray<{ readonly ok: boolean; readonly failed: readonly string[] }>): SelfCheckVerdict {
  const last = calls.at(-1);
  if (!last) return { kind: 'never' };
  return last.ok ? { kind: 'checked' } : { kind: 'failed', gates: last.failed };
}

/** The send-back: the fact, the task again, and what to do. */
export function sendBackPrompt(verdict: Exclude<SelfCheckVerdict, { kind: 'checked' }>, taskPrompt: string): string {
  const fact =
    verdict.kind === 'never'
      ? 'You ended without calling check_gate, so your work was never checked.'
      : `Your last check_gate call failed${verdict.gates.length ? ` (${verdict.gates.join(', ')})` : ''}, and you ended without fixing it.`;
  return [
    `orchestra: this phase requires each task's agent to check its own work before it is merged. ${fact}`,
    '',
    'Call the `check_gate` tool of the `orchestra` MCP server now. If a gate fails, fix what it reports in your worktree and call check_gate again, until every gate passes. Then say you are done.',
    '',
    'Your task was:',
    '',
    taskPrompt,
  ].join('\n');
}
