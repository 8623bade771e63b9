/** The most of the conflicts' diff that goes into a prompt. */
const MAX_DIFF = 24 * 1024;

/**
 * What the task's own agent is told when its work conflicts with work merged
 * before it: it knows what it meant, so it resolves. Pure.
 */
export function conflictPrompt(input: {
  readonly task: string;
  readonly taskPrompt: string;
  readonly files: readonly string[];
  readonly others: ReadonlyArray<{ id: string; prompt: string }>;
  readonly diff: string;
  readonly round: number;
  readonly attempts: number;
}): string {
  const diff = input.diff.length > MAX_DIFF ? `${input.diff.slice(0, MAX_DIFF)}\n… (cut at ${MAX_DIFF} bytes)` : input.diff;
  const others = input.others.length ? input.others.map((o) => `- ${o.id}: ${o.prompt.split('\n')[0]}`).join('\n') : '- (work merged before yours)';
  return `Your task ${input.task} is done in this worktree, but work merged into the integration branch while you worked changes the same lines (merge round ${input.round} of ${input.attempts}).

Your task was: ${input.taskPrompt.split('\n')[0]}

The other work merged before yours:
${others}

A merge of that work into yours is in progress here. These files have conflict markers (<<<<<<< yours, ======= , >>>>>>> theirs):
${input.files.map((f) => `- ${f}`).join('\n')}

Edit each so that both changes hold: keep what the other work added and what yours added, remove every marker, and change nothing else. Do not commit; orchestra does.

The conflicts:
\`\`\`diff
${diff}
\`\`\`
`;
}

/** The most of the user's commit subjects that go into a prompt. */
const MAX_COMMITS = 20;

/**
 * What an agent is told when `orchestra apply` meets a conflict: the run's
 * work (its task) against commits the user made on their branch meanwhile.
 * The user's side is kept as it is meant; the run's side is made to fit. Pure.
 */
export function applyConflictPrompt(input: {
  readonly runId: string;
  readonly branch: string;
  readonly task?: string;
  readonly taskPrompt: string;
  readonly files: readonly string[];
  readonly userCommits: readonly string[];
  readonly diff: string;
  readonly round: number;
  readonly attempts: number;
}): string {
  const diff = input.diff.length > MAX_DIFF ? `${input.diff.slice(0, MAX_DIFF)}\n… (cut at ${MAX_DIFF} bytes)` : input.diff;
  const commits = input.userCommits.slice(0, MAX_COMMITS).map((s) => `- ${s.slice(0, 200)}`);
  if (input.userCommits.length > MAX_COMMITS) commits.push(`- … and ${input.userCommits.length - MAX_COMMITS} more`);
  return `The work of orchestra run ${input.runId} is being applied to the branch ${input.branch}, which moved while the run worked; the same lines changed on both sides (merge round ${input.round} of ${input.attempts}).

The run's work here${input.task ? ` (your task ${input.task})` : ''} was: ${input.taskPrompt.split('\n')[0]}

The commits made on ${input.branch} meanwhile:
${commits.length ? commits.join('\n') : '- (none listed)'}

A merge of the run's work into ${input.branch} is in progress here. These files have conflict markers (<<<<<<< ${input.branch}, ======= , >>>>>>> the run):
${input.files.map((f) => `- ${f}`).join('\n')}

Edit each so that both changes hold: keep what the commits on ${input.branch} did and what the run added, remove every marker, and change nothing else. Do not commit; orchestra does.

The conflicts:
\`\`\`diff
${diff}
\`\`\`
`;
}
