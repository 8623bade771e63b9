import type { PlanAnswer } from './answer.js';
import type { Facts } from './facts.js';
import type { Round } from './loop.js';
import type { Move } from './plan-yaml.js';

/** `.orchestra/reports/analysis-<when>.md`: what kind of work, what must coordinate, the strategy, and how the plan was reached. Pure. */
export function analysisMarkdown(request: string, answer: PlanAnswer, facts: Facts, rounds: readonly Round[], moves: readonly Move[], when: Date): string {
  const a = answer.analysis;
  return [
    `# Analysis: ${firstLine(request)}`,
    '',
    `Planned ${when.toISOString()} by the planner agent, in ${rounds.length} ${rounds.length === 1 ? 'round' : 'rounds'}.`,
    '',
    '## Request',
    '',
    request.trim(),
    '',
    '## Task type',
    '',
    a.taskType,
    '',
    '## Coordination points',
    '',
    ...(a.coordination.length ? a.coordination.map((c) => `- ${c}`) : ['(none named)']),
    '',
    '## Strategy',
    '',
    a.strategy,
    '',
    '## The repository, as the planner was shown it',
    '',
    `${facts.fileCount} files; ${facts.languages.map((l) => `${l.name} (${l.files})`).join(', ') || 'no language recognised'}; gates: ${facts.gates.map((g) => g.name).join(', ') || 'none'}; agents: ${facts.agents.map((g) => g.id).join(', ') || 'none'}.`,
    '',
    '## Rounds',
    '',
    ...rounds.flatMap((r) => [
      `### Round ${r.round}: ${r.problems ? 'sent back' : r.answer !== undefined ? 'valid' : 'no answer'}`,
      '',
      ...(r.problems ? ['```', r.problems, '```', ''] : []),
    ]),
    ...(moves.length
      ? [
          '## Repaired by orchestra',
          '',
          ...moves.map((m) => `- ${m.phase}/${m.task} runs after ${m.after}, in a later wave: ${m.patterns[0]} overlaps ${m.patterns[1]}`),
          '',
        ]
      : []),
  ].join('\n');
}

export function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
