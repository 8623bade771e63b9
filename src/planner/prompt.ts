import type { Facts } from './facts.js';
import { formatSize } from './tree-summary.js';

/** What the planner is asked, first or in a repair round. Pure. */
export interface PromptInput {
  readonly request: string;
  readonly facts: Facts;
  /** A repair round: the previous answer (cut) and what was wrong with it. */
  readonly repair?: { readonly round: number; readonly answer: string; readonly problems: string };
}

export const REQUEST_LIMIT = 8_000;
const ANSWER_ECHO = 6_000;
/** The diagnostics sent back, and the lists of gates and agents: each bounded, so that the prompt fits in one argv element. */
const PROBLEMS_LIMIT = 12_000;
const LIST_LIMIT = 6_000;

/** The answer's shape by example, in every prompt (the unit tests check it against the schema). */
export const PLAN_EXAMPLE = {
  analysis: {
    taskType: 'feature',
    coordination: ['app/models/user.py: the User model both tasks read'],
    strategy: 'models first, then the API over them; each wave touches disjoint files',
  },
  phases: [
    {
      id: 'auth-models',
      description: 'The token model',
      tasks: [{ id: 'token-model', agent: 'implementer', prompt: 'Write app/models/token.py …', scope: { touch: ['app/models/token.py'] } }],
      gates: ['compile'],
    },
  ],
};

export function plannerPrompt(input: PromptInput): string {
  const { facts } = input;
  const parts: string[] = [
    'You are the orchestra planner. Turn the request below into a plan that orchestra will check and then run with a team of coding agents.',
    'Do not change any file: read what you need, then answer with ONE JSON object and nothing else (no prose, no code fence).',
    `## Request\n${clip(input.request, REQUEST_LIMIT)}`,
    [
      '## The answer',
      'It follows schemas/plan.schema.json of orchestra:',
      '- analysis: { taskType, coordination (the parts of the codebase several tasks must agree on), strategy (why the waves are cut so) }',
      '- phases: in order; the tasks of one phase run at the same time (a wave), each in its own git worktree, so their scope.touch globs must not overlap; a phase needs the one before it unless it says needs: [ids of this plan]',
      '- each task: id, agent (an agent id or a role of the team below), prompt (complete instructions: the agent sees nothing else), scope: { touch: [globs from the repo root, inside the repo], forbid?: [globs] }',
      '- each phase\'s gates: names of the gates below that must pass after its tasks; add a gate under \'gates\' only when none fits ({ "name": { "run": "command" } })',
      '- ids: letters, digits and _ . : / - ; phase ids must differ from the phases that exist already',
      `Example: ${JSON.stringify(PLAN_EXAMPLE)}`,
    ].join('\n'),
    `## The team\n${clip(facts.agents.map((a) => `- ${a.id}${a.use ? ` (${a.use})` : ''}: roles ${a.roles.join(', ') || '(none)'}`).join('\n') || '(no agents)', LIST_LIMIT)}`,
    `## Gates that exist\n${clip(facts.gates.map((g) => `- ${g.name}: ${g.what}`).join('\n') || '(none)', LIST_LIMIT)}${facts.presets.length ? `\nPresets: ${facts.presets.join(', ')}` : ''}`,
    `## Phases that exist already\n${clip(facts.phases.join(', ') || '(none)', LIST_LIMIT)}`,
    `## Languages\n${facts.languages.map((l) => `${l.name}: ${l.files} files, ${formatSize(l.bytes)}`).join('\n') || '(none recognised)'}`,
    `## Files (root: ${facts.root})\n${facts.tree}`,
  ];
  if (facts.spec) parts.push(`## ${facts.spec.file}\n${facts.spec.text}`);
  if (input.repair)
    parts.push(
      [
        `## Repair round ${input.repair.round}: your previous answer was not valid`,
        'Your previous answer:',
        clip(input.repair.answer, ANSWER_ECHO),
        'The problems orchestra found in it (positions are in the plan file orchestra made of it, or in your answer):',
        clip(input.repair.problems, PROBLEMS_LIMIT),
        'Answer again with the whole corrected JSON object, and nothing else.',
      ].join('\n'),
    );
  return `${parts.join('\n\n')}\n`;
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}\n… (cut: ${text.length - limit} more characters)`;
}
