import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { formatDiagnostics } from '../../src/logger/diagnostic-printer.js';
import { checkAnswer } from '../../src/planner/check.js';
import { gatherFacts } from '../../src/planner/facts.js';
import { planWithRepairs, type Asked } from '../../src/planner/loop.js';
import { makeRepo, TEAM } from '../helpers/repo.js';

const plain = {
  red: (s: string) => s,
  yellow: (s: string) => s,
  green: (s: string) => s,
  cyan: (s: string) => s,
  dim: (s: string) => s,
  bold: (s: string) => s,
};

const CONFIG = `gates:
  unit:
    run: npm test
phases:
  - id: models
    tasks:
      - id: user
        agent: implementer
        prompt: Write the user model.
        scope: { touch: ['app/models/user.py'] }
`;

type Task = { id: string; agent?: string; touch?: string[] };
/** An answer with phases of tasks; each phase runs `gates` and may `needs`. */
function answer(phases: Array<{ id: string; tasks: Task[]; gates?: string[]; needs?: string[] }>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    analysis: { taskType: 'feature', coordination: [], strategy: 's' },
    ...extra,
    phases: phases.map((p) => ({
      ...p,
      tasks: p.tasks.map((t) => ({ id: t.id, agent: t.agent ?? 'implementer', prompt: `Do ${t.id}.`, scope: { touch: t.touch ?? [`src/${t.id}/**`] } })),
    })),
  });
}

async function setup(): Promise<{ root: string; config: Config }> {
  const root = makeRepo({ 'orchestra.config.yaml': CONFIG, 'team.json': TEAM });
  const loaded = await loadConfig({ cwd: root, cache: false });
  return { root, config: loaded.config as Config };
}

/** The loop with a fake planner that gives `answers` in turn, and the real check. */
async function plan(answers: Array<string | Asked>, repairs = 2) {
  const { root, config } = await setup();
  const prompts: string[] = [];
  const result = await planWithRepairs('Add JWT', gatherFacts(config, [], []), repairs, {
    ask: async (prompt, round) => {
      prompts.push(prompt);
      const a = answers[round - 1] ?? 'no more answers';
      return typeof a === 'string' ? { ok: true, text: a } : a;
    },
    check: (text, round) =>
      checkAnswer(text, round, {
        cwd: root,
        configFile: path.join(root, 'orchestra.config.yaml'),
        planFile: path.join(root, 'orchestra.plan.yaml'),
        answerFile: (n) => path.join(root, `answer-${n}.txt`),
        header: [],
      }),
    describe: (ds, sources) => formatDiagnostics(ds, sources, root, plain),
  });
  return { result, prompts };
}

describe('the repair loop, with a fake planner and the real check', () => {
  it('sends each invalid answer back with its located diagnostics until one validates', async () => {
    const { result, prompts } = await plan([
      'I think we should add JWT in two phases.',
      answer([{ id: 'auth', tasks: [{ id: 'jwt', agent: 'writer' }], gates: ['typecheck'] }]),
      answer([{ id: 'auth', tasks: [{ id: 'jwt' }], gates: ['unit'] }]),
    ]);
    expect(result.ok).toBe(true);
    expect(prompts).toHaveLength(3);
    expect(prompts[0]).not.toContain('Repair round');
    expect(prompts[1]).toContain('## Repair round 2');
    expect(prompts[1]).toContain("answer-1.txt:1:1: error: the answer is not a JSON object: it begins 'I think we should add JWT in two phases.'");
    expect(prompts[2]).toMatch(/orchestra\.plan\.yaml:\d+:\d+: error: unknown agent or role 'writer'/);
    expect(prompts[2]).toMatch(/orchestra\.plan\.yaml:\d+:\d+: error: unknown gate 'typecheck'/);
    expect(result.rounds.map((r) => r.problems === undefined)).toEqual([false, false, true]);
  });

  it('orders two overlapping tasks of one wave itself, and does not send them back', async () => {
    const { result, prompts } = await plan([
      answer([
        {
          id: 'auth',
          tasks: [
            { id: 'a', touch: ['src/auth/jwt.ts'] },
            { id: 'b', touch: ['src/auth/**'] },
          ],
        },
      ]),
    ]);
    expect(prompts).toHaveLength(1);
    if (!result.ok) throw new Error(result.message);
    expect(result.checked.moves).toEqual([{ phase: 'auth', task: 'b', after: 'a', patterns: ['src/auth/jwt.ts', 'src/auth/**'] }]);
    expect(result.checked.yaml).toContain("# orchestra: runs after 'a', in a later wave: src/auth/jwt.ts overlaps src/auth/**");
  });

  it('finds cycles, duplicate ids, gates the plan would change and phases it would replace', async () => {
    const { result } = await plan(
      [
        answer(
          [
            { id: 'a', tasks: [{ id: 't1' }], needs: ['b'] },
            { id: 'b', tasks: [{ id: 't2' }], needs: ['a'] },
          ],
          { gates: { unit: { run: 'true' } } },
        ),
        answer([
          { id: 'models', tasks: [{ id: 'x' }] },
          { id: 'more', tasks: [{ id: 'x' }] },
        ]),
        answer([{ id: 'c', tasks: [{ id: 't3' }], needs: ['c'] }]),
      ],
      2,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.why).toBe('invalid');
    expect(result.message).toBe("the planner's answer was still invalid after 3 rounds (--attempts 2)");
    const [one, two, three] = result.rounds.map((r) => r.problems ?? '');
    expect(one).toContain("gate 'unit' is declared by the config already: a plan may add gates, not change them");
    expect(two).toContain("phase 'models' is declared by the config already");
    expect(two).toContain("duplicate task id 'x'");
    expect(three).toMatch(/cycle/);
  });

  it('stops at once when the planner gives no answer (a timeout), without asking again', async () => {
    const { result, prompts } = await plan([{ ok: false, reason: 'stopped at its timeout of 2s' }, answer([{ id: 'x', tasks: [{ id: 'y' }] }])]);
    expect(prompts).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, why: 'agent', message: 'the planner gave no answer in round 1: stopped at its timeout of 2s' });
  });

  it('asks once with --attempts 0', async () => {
    const { result, prompts } = await plan(['{"broken": '], 0);
    expect(prompts).toHaveLength(1);
    expect(result).toMatchObject({ ok: false, message: "the planner's answer was still invalid after 1 round (--attempts 0)" });
  });
});
