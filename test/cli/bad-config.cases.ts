/**
 * A corpus of mistakes people make in orchestra.config.yaml and team.json.
 * Each names the exact file:line:column the CLI must point at and a piece of
 * the message; every case must exit 2.
 */
export interface BadCase {
  readonly name: string;
  readonly files: Record<string, string>;
  /** `file:line:column` of every error, in output order. */
  readonly at: readonly string[];
  /** Text that must appear in the output (the message, a hint). */
  readonly says: readonly string[];
}

const TEAM = `{
  "agents": [
    { "id": "claude", "use": "claude-code", "roles": ["implementer", "fix-executor"] }
  ]
}
`;

const C = 'orchestra.config.yaml';

export const BAD_CASES: readonly BadCase[] = [
  {
    name: 'YAML syntax: an unclosed flow sequence',
    files: { [C]: 'gates:\n  unit:\n    run: [npm, test\n  lint:\n    run: eslint .\n' },
    at: ['orchestra.config.yaml:4:3'],
    says: ['YAML syntax error', 'must be sufficiently indented and end with a ]'],
  },
  {
    name: 'duplicate key in a mapping',
    files: { [C]: 'gates:\n  unit:\n    run: npm test\n  unit:\n    run: vitest\n' },
    at: ['orchestra.config.yaml:4:3'],
    says: ["duplicate key 'unit'"],
  },
  {
    name: 'a tab used for indentation',
    files: { [C]: 'gates:\n  unit:\n\trun: npm test\n' },
    at: ['orchestra.config.yaml:3:1'],
    says: ['tabs are not allowed'],
  },
  {
    name: 'unknown top-level key, with a suggestion',
    files: { [C]: 'gate:\n  unit:\n    run: npm test\n' },
    at: ['orchestra.config.yaml:1:1'],
    says: ["unknown top-level key 'gate'", "did you mean 'gates'?"],
  },
  {
    name: 'unknown key inside a gate',
    files: { [C]: 'gates:\n  unit:\n    run: npm test\n    timout: 5m\n' },
    at: ['orchestra.config.yaml:4:5'],
    says: ["unknown key 'timout' in gates.unit", "did you mean 'timeout'?"],
  },
  {
    name: 'concurrency of the wrong type',
    files: { [C]: 'concurrency: four\ngates:\n  unit:\n    run: npm test\n' },
    at: ['orchestra.config.yaml:1:14'],
    says: ["concurrency: expected a whole number, got 'four'"],
  },
  {
    name: 'concurrency below 1',
    files: { [C]: 'concurrency: 0\n' },
    at: ['orchestra.config.yaml:1:14'],
    says: ['concurrency: must be at least 1, got 0'],
  },
  {
    name: 'a duration without a unit',
    files: { [C]: 'gates:\n  unit:\n    run: npm test\n    timeout: 5 minutes\n' },
    at: ['orchestra.config.yaml:4:14'],
    says: ["'5 minutes' is not a duration"],
  },
  {
    name: 'a gate with neither run nor rule',
    files: { [C]: 'gates:\n  unit:\n    inputs: ["src/**"]\n' },
    at: ['orchestra.config.yaml:2:3'],
    says: ["gate 'unit' needs 'run' (a command) or 'rule' (a rule id)"],
  },
  {
    name: 'a gate with both run and rule',
    files: {
      [C]: 'rules:\n  no-foo:\n    pattern: foo\n    message: no foo\ngates:\n  unit:\n    run: npm test\n    rule: no-foo\n',
    },
    at: ['orchestra.config.yaml:8:5'],
    says: ["gate 'unit' has both 'run' and 'rule'"],
  },
  {
    name: 'run given as a number',
    files: { [C]: 'gates:\n  unit:\n    run: 42\n' },
    at: ['orchestra.config.yaml:3:10'],
    says: ['gates.unit.run: expected a string or a list of strings, got 42'],
  },
  {
    name: 'an empty argv',
    files: { [C]: 'gates:\n  unit:\n    run: []\n' },
    at: ['orchestra.config.yaml:3:10'],
    says: ['gates.unit.run'],
  },
  {
    name: 'a gate name with a space',
    files: { [C]: 'gates:\n  unit tests:\n    run: npm test\n' },
    at: ['orchestra.config.yaml:2:3'],
    says: ["'unit tests' is not a valid name"],
  },
  {
    name: 'needs names a gate that does not exist',
    files: { [C]: 'gates:\n  typecheck:\n    run: tsc\n  unit:\n    run: npm test\n    needs: [typechek]\n' },
    at: ['orchestra.config.yaml:6:13'],
    says: ["unknown gate 'typechek'", "did you mean 'typecheck'?"],
  },
  {
    name: 'a phase names an unknown gate',
    files: {
      [C]: 'gates:\n  unit:\n    run: npm test\nphases:\n  - id: models\n    tasks:\n      - id: m\n        agent: implementer\n        prompt: do it\n    gates: [unit, lnt]\n',
      'team.json': TEAM,
    },
    at: ['orchestra.config.yaml:10:19'],
    says: ["unknown gate 'lnt'"],
  },
  {
    name: 'a hook names an unknown gate',
    files: { [C]: 'gates:\n  unit:\n    run: npm test\nhooks:\n  pre-push: [unit, typecheck]\n' },
    at: ['orchestra.config.yaml:5:20'],
    says: ["unknown gate 'typecheck'"],
  },
  {
    name: 'an unknown hook',
    files: { [C]: 'gates:\n  unit:\n    run: npm test\nhooks:\n  pre-psuh: [unit]\n' },
    at: ['orchestra.config.yaml:5:3'],
    says: ["unknown key 'pre-psuh' in hooks", "did you mean 'pre-push'?"],
  },
  {
    name: 'a phase needs an unknown phase',
    files: {
      [C]: 'phases:\n  - id: models\n    tasks: []\n  - id: api\n    needs: [model]\n    tasks: []\n',
    },
    at: ['orchestra.config.yaml:5:13'],
    says: ["unknown phase 'model'", "did you mean 'models'?"],
  },
  {
    name: 'two phases with one id',
    files: { [C]: 'phases:\n  - id: models\n    tasks: []\n  - id: models\n    tasks: []\n' },
    at: ['orchestra.config.yaml:4:9'],
    says: ["duplicate phase id 'models'", 'orchestra.config.yaml:2:9: note'],
  },
  {
    name: 'a task id used in two phases',
    files: {
      [C]: 'phases:\n  - id: a\n    tasks:\n      - { id: t1, agent: claude, prompt: x }\n  - id: b\n    tasks:\n      - { id: t1, agent: claude, prompt: y }\n',
      'team.json': TEAM,
    },
    at: ['orchestra.config.yaml:7:15'],
    says: ["duplicate task id 't1'", 'orchestra.config.yaml:4:15: note'],
  },
  {
    name: 'a task without a prompt',
    files: {
      [C]: 'phases:\n  - id: a\n    tasks:\n      - id: t1\n        agent: claude\n',
      'team.json': TEAM,
    },
    at: ['orchestra.config.yaml:4:9'],
    says: ["phases[0].tasks[0]: missing required key 'prompt'"],
  },
  {
    name: 'a task names an agent nobody is',
    files: {
      [C]: 'phases:\n  - id: a\n    tasks:\n      - id: t1\n        agent: implementor\n        prompt: x\n',
      'team.json': TEAM,
    },
    at: ['orchestra.config.yaml:5:16'],
    says: ["unknown agent or role 'implementor'", "did you mean 'implementer'?"],
  },
  {
    name: 'tasks but no team file',
    files: { [C]: 'phases:\n  - id: a\n    tasks:\n      - id: t1\n        agent: claude\n        prompt: x\n' },
    at: ['orchestra.config.yaml:5:16'],
    says: ['there is no team file'],
  },
  {
    name: 'negative fix attempts',
    files: {
      [C]: 'gates:\n  unit:\n    run: npm test\nphases:\n  - id: a\n    tasks: []\n    gates: [unit]\n    fix: { agent: fix-executor, attempts: -1 }\n',
      'team.json': TEAM,
    },
    at: ['orchestra.config.yaml:8:43'],
    says: ['phases[0].fix.attempts: must be at least 0, got -1'],
  },
  {
    name: 'a fix agent that is not in the team',
    files: {
      [C]: 'gates:\n  unit:\n    run: npm test\nphases:\n  - id: a\n    tasks: []\n    gates: [unit]\n    fix: { agent: fixer }\n',
      'team.json': TEAM,
    },
    at: ['orchestra.config.yaml:8:19'],
    says: ["unknown agent or role 'fixer'"],
  },
  {
    name: 'a gate names an unknown rule',
    files: { [C]: 'gates:\n  stamps:\n    rule: sqlalchemy/timestamps\n' },
    at: ['orchestra.config.yaml:3:11'],
    says: ["unknown rule 'sqlalchemy/timestamps'"],
  },
  {
    name: 'a declared rule with a broken regular expression',
    files: { [C]: 'rules:\n  no-foo:\n    pattern: "foo("\n    message: no foo\n' },
    at: ['orchestra.config.yaml:3:14'],
    says: ['rules.no-foo.pattern is not a valid regular expression'],
  },
  {
    name: 'a scope with a misspelled key',
    files: {
      [C]: 'phases:\n  - id: a\n    tasks:\n      - id: t1\n        agent: claude\n        prompt: x\n        scope: { touch: ["a/**"], forbd: [] }\n',
      'team.json': TEAM,
    },
    at: ['orchestra.config.yaml:7:35'],
    says: ["unknown key 'forbd'", "did you mean 'forbid'?"],
  },
  {
    name: 'an alias with no anchor',
    files: { [C]: 'gates:\n  unit:\n    run: npm test\n    inputs: *sources\n' },
    at: ['orchestra.config.yaml:4:13'],
    says: ["unknown alias '*sources'"],
  },
  {
    name: 'extends a preset that does not exist',
    files: { [C]: 'extends: [hygeine]\n' },
    at: ['orchestra.config.yaml:1:11'],
    says: ["cannot extend 'hygeine'", "did you mean 'hygiene'?"],
  },
  {
    name: 'extends in a cycle',
    files: { [C]: 'extends: ./a.yaml\n', 'a.yaml': 'extends: [./b.yaml]\n', 'b.yaml': 'extends: [./a.yaml]\n' },
    at: ['b.yaml:1:11'],
    says: ['extends cycle: a.yaml -> b.yaml -> a.yaml'],
  },
  {
    name: 'a mistake inside an extended file points into that file',
    files: { [C]: 'extends: [./base.yaml]\n', 'base.yaml': 'gates:\n  unit:\n    run: npm test\n    retries: many\n' },
    at: ['base.yaml:4:14'],
    says: ['gates.unit.retries: expected a whole number'],
  },
  {
    name: 'team.json with a trailing comma',
    files: { [C]: 'gates: {}\n', 'team.json': '{\n  "agents": [\n    { "id": "claude", "use": "codex" },\n  ]\n}\n' },
    at: ['team.json:4:3'],
    says: ['JSON syntax error: expected a value (no trailing comma before ])'],
  },
  {
    name: 'team.json with two agents of one id',
    files: {
      [C]: 'gates: {}\n',
      'team.json': '{\n  "agents": [\n    { "id": "claude", "use": "claude-code" },\n    { "id": "claude", "use": "codex" }\n  ]\n}\n',
    },
    at: ['team.json:4:13'],
    says: ["duplicate agent id 'claude'", 'team.json:3:13: note'],
  },
  {
    name: 'a team agent with both use and command',
    files: {
      [C]: 'gates: {}\n',
      'team.json': '{\n  "agents": [\n    { "id": "a", "use": "codex", "command": ["codex"] }\n  ]\n}\n',
    },
    at: ['team.json:3:34'],
    says: ["agent 'a' has both 'use' and 'command'"],
  },
  {
    name: 'a team agent with an unknown adapter',
    files: { [C]: 'gates: {}\n', 'team.json': '{\n  "agents": [\n    { "id": "a", "use": "claud-code" }\n  ]\n}\n' },
    at: ['team.json:3:25'],
    says: ['agents[0].use: expected one of claude-code, codex, gemini, aider', "did you mean 'claude-code'?"],
  },
  {
    name: 'a team file named in the config that is missing',
    files: { [C]: 'team: ./agents/team.json\n' },
    at: ['orchestra.config.yaml:1:7'],
    says: ['team file not found'],
  },
  {
    name: 'a malformed SPEC.md phase heading',
    files: {
      [C]: 'spec: SPEC.md\n',
      'team.json': TEAM,
      'SPEC.md': '# Plan\n\n## Implementation Phases\n\n### Phase one - Setup\nModules: proto\n',
    },
    at: ['SPEC.md:5:1'],
    says: ["expected a phase heading like '### Phase 2: Title'"],
  },
  {
    name: 'sandbox: a mode that does not exist',
    files: { [C]: 'gates:\n  u:\n    run: "true"\nsandbox: sometimes\n' },
    at: ['orchestra.config.yaml:4:10'],
    says: ["sandbox: expected one of auto, required, off; got 'sometimes'"],
  },
  {
    name: 'sandbox: a misspelt key in its mapping, and a bad mode',
    files: { [C]: 'gates:\n  u:\n    run: "true"\nsandbox:\n  mode: on\n  writeable: [x]\n' },
    at: ['orchestra.config.yaml:5:9', 'orchestra.config.yaml:6:3'],
    says: ["sandbox.mode: expected one of auto, required, off; got 'on'", "did you mean 'writable'?"],
  },
  {
    name: 'worktree: and merge: with the wrong types, each at its value',
    files: {
      [C]: 'gates:\n  u:\n    run: "true"\nworktree:\n  setup: 3\n  setupTimeout: soon\n  copy: .env\nmerge:\n  attempts: -1\n  regenerate: { "a.lock": 5 }\n',
    },
    at: ['orchestra.config.yaml:5:10', 'orchestra.config.yaml:6:17', 'orchestra.config.yaml:7:9', 'orchestra.config.yaml:9:13', 'orchestra.config.yaml:10:27'],
    says: ['worktree.setup: expected a string or a list of strings, got 3', "'soon' is not a duration", 'merge.attempts: must be at least 0, got -1'],
  },
  {
    name: 'several mistakes are all reported at once',
    files: {
      [C]: 'concurency: 2\ngates:\n  unit:\n    run: npm test\n    needs: [lint]\n  lint:\n    timeout: soon\n',
    },
    at: ['orchestra.config.yaml:1:1', 'orchestra.config.yaml:6:3', 'orchestra.config.yaml:7:14'],
    says: ["unknown top-level key 'concurency'", "gate 'lint' needs 'run'", "'soon' is not a duration"],
  },
  {
    name: 'an agent that uses a CLI by a short name (claude for claude-code)',
    files: { [C]: 'gates:\n  a: { run: "true" }\n', 'team.json': '{ "agents": [{ "id": "c", "use": "claude", "roles": ["implementer"] }] }\n' },
    at: ['team.json:1:34'],
    says: ['agents[0].use: expected one of claude-code', "hint: did you mean 'claude-code'?"],
  },
  {
    name: 'a scope written as one glob instead of a mapping',
    files: {
      [C]: 'phases:\n  - id: a\n    tasks:\n      - id: t1\n        agent: claude\n        prompt: x\n        scope: app/**\n',
      'team.json': TEAM,
    },
    at: ['orchestra.config.yaml:7:16'],
    says: ['phases[0].tasks[0].scope: expected a mapping', 'hint: scope is a mapping of globs: scope: { touch: ["app/**"] }'],
  },
  {
    name: "a gate's files as one string (not read as a one-item list)",
    files: { [C]: 'gates:\n  style:\n    run: npx prettier --check .\n    files: src/**\n' },
    at: ['orchestra.config.yaml:4:12'],
    says: ['gates.style.files: expected a list of strings', 'hint: write a list, even of one: files: ["src/**"]'],
  },
];
