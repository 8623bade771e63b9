import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SourceText, type SourceStore } from '../../src/config/source-text.js';
import { jsonPart, leavesRepo, readAnswer } from '../../src/planner/answer.js';
import { planYaml } from '../../src/planner/plan-yaml.js';
import { PLAN_EXAMPLE } from '../../src/planner/prompt.js';
import { withPlanKey } from '../../src/planner/config-key.js';
import { parse } from 'yaml';

const FILE = '/repo/.orchestra/reports/round-1.answer.txt';

const VALID = {
  analysis: { taskType: 'feature', coordination: [], strategy: 'one wave' },
  phases: [{ id: 'auth', tasks: [{ id: 'jwt', agent: 'implementer', prompt: 'Add JWT.', scope: { touch: ['src/auth/**'] } }], gates: ['unit'] }],
};

/** Each problem as `line:column message`, positions in the answer as the planner wrote it. */
function problems(text: string): string[] {
  const sources: SourceStore = new Map();
  const r = readAnswer(text, FILE, sources);
  if (r.ok) return [];
  const src = sources.get(FILE) as SourceText;
  return r.diagnostics.map((d) => {
    const p = src.position(d.loc?.start ?? 0);
    return `${p.line}:${p.column} ${d.message}`;
  });
}

describe("reading a planner's answer", () => {
  it('takes plain JSON, or JSON in one fence', () => {
    expect(problems(JSON.stringify(VALID))).toEqual([]);
    expect(problems(`\n\`\`\`json\n${JSON.stringify(VALID, null, 2)}\n\`\`\`\n`)).toEqual([]);
    expect(jsonPart('Here is the plan: {"a": 1}')).toBeUndefined();
  });

  it('says prose is not a JSON object, quoting how it begins', () => {
    expect(problems('Sure! I would split this into three phases: first the models, then the API.')).toEqual([
      "1:1 the answer is not a JSON object: it begins 'Sure! I would split this into three phases: first the models, then the API.'",
    ]);
  });

  it('points at broken JSON in the answer (a fenced answer: in its own lines)', () => {
    const broken = '```json\n{\n  "analysis": {"taskType": "feature",,\n}\n```';
    const [first] = problems(broken);
    expect(first).toMatch(/^3:\d+ /);
  });

  it('checks the published schema: a task without a scope, an unknown key, a bad id, an empty phase list', () => {
    const noScope = structuredClone(VALID) as { phases: Array<{ tasks: Array<Record<string, unknown>> }> };
    delete noScope.phases[0]!.tasks[0]!['scope'];
    expect(problems(JSON.stringify(noScope, null, 2))).toEqual([expect.stringMatching(/^\d+:\d+ phases\[0\]\.tasks\[0\]: missing required key 'scope'$/)]);
    const emptyTouch = structuredClone(VALID);
    emptyTouch.phases[0]!.tasks[0]!.scope.touch = [];
    expect(problems(JSON.stringify(emptyTouch))).toEqual([expect.stringContaining('phases[0].tasks[0].scope.touch: must not be an empty list')]);
    expect(problems(JSON.stringify({ ...VALID, notes: 'x' }))).toEqual([expect.stringContaining("unknown top-level key 'notes'")]);
    expect(problems(JSON.stringify({ ...VALID, phases: [] }))).toEqual([expect.stringContaining('phases: must not be an empty list')]);
    const badId = structuredClone(VALID);
    badId.phases[0]!.id = '-auth';
    expect(problems(JSON.stringify(badId))).toEqual([expect.stringContaining("phases[0].id: '-auth' is not valid")]);
  });

  it('refuses scopes outside the repository, at the glob', () => {
    const out = structuredClone(VALID) as { phases: Array<{ tasks: Array<{ scope: Record<string, string[]> }> }> };
    out.phases[0]!.tasks[0]!.scope = { touch: ['src/**', '../other/**'], forbid: ['/etc/passwd'] };
    expect(problems(JSON.stringify(out, null, 2))).toEqual([
      expect.stringMatching(/^\d+:\d+ phases\[0\]\.tasks\[0\]\.scope\.touch\[1\]: '\.\.\/other\/\*\*' is a path that climbs out with '\.\.'/),
      expect.stringMatching(/phases\[0\]\.tasks\[0\]\.scope\.forbid\[0\]: '\/etc\/passwd' is an absolute path/),
    ]);
    expect(['src/a..b/**', 'a/../b', '~/x', 'C:\\x'].map(leavesRepo)).toEqual([
      undefined,
      "a path that climbs out with '..'",
      'a path in a home folder',
      'an absolute path',
    ]);
  });

  it('refuses an answer too long to be a plan, without parsing it', () => {
    expect(problems(`{"x": "${'a'.repeat(600_000)}"}`)).toEqual([expect.stringContaining('a plan fits in 524288')]);
  });

  it('is the schema published in schemas/plan.schema.json, which the example in the prompt passes', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as { $id: string; required: string[] };
    expect(schema.$id).toBe('urn:orchestra:schema:plan:v1');
    expect(schema.required).toEqual(['analysis', 'phases']);
    expect(problems(JSON.stringify(PLAN_EXAMPLE))).toEqual([]);
  });
});

describe('the plan file made of an answer', () => {
  it('writes phases and gates only; the first phase needs nothing; a moved task says so', () => {
    const text = planYaml(
      { ...VALID, gates: { unit: { run: 'npm test' } } },
      ['Planned for: JWT'],
      [{ phase: 'auth', task: 'jwt', after: 'models', patterns: ['src/**', 'src/auth/**'] }],
    );
    expect(parse(text)).toEqual({
      gates: { unit: { run: 'npm test' } },
      phases: [{ id: 'auth', needs: [], tasks: [{ id: 'jwt', agent: 'implementer', prompt: 'Add JWT.', scope: { touch: ['src/auth/**'] } }], gates: ['unit'] }],
    });
    expect(text.startsWith('# Planned for: JWT\n')).toBe(true);
    expect(text).toContain("      # orchestra: runs after 'models', in a later wave: src/** overlaps src/auth/**\n      - id: jwt");
  });
});

describe('pointing the config at the plan file', () => {
  const CONFIG = "# my config\nextends: [sqlalchemy]   # keep me\ngates:\n  unit: { run: 'npm test' }\n";

  it('appends one line, every other byte as it was', () => {
    const r = withPlanKey(CONFIG, './orchestra.plan.yaml');
    expect(r).toEqual({
      text: `${CONFIG}# Phases and gates planned by 'orchestra plan --request', added to this config's own.\nplan: ./orchestra.plan.yaml\n`,
    });
    expect(withPlanKey('team: t.json', 'p.yaml')).toEqual({
      text: "team: t.json\n# Phases and gates planned by 'orchestra plan --request', added to this config's own.\nplan: p.yaml\n",
    });
  });

  it('replaces the value where the key is, leaves a config that says so already alone', () => {
    expect(withPlanKey(`${CONFIG}plan: old.yaml # the plan\n`, './new plan.yaml')).toEqual({ text: `${CONFIG}plan: "./new plan.yaml" # the plan\n` });
    expect(withPlanKey(`plan: ./p.yaml\n`, './p.yaml')).toEqual({ unchanged: true });
  });

  it('does not touch what it cannot splice', () => {
    expect(withPlanKey('{ gates: {} }', './p.yaml')).toEqual({ problem: 'its top level is not a block mapping' });
    expect(withPlanKey('- a\n- b\n', './p.yaml')).toEqual({ problem: 'its top level is not a block mapping' });
  });
});
