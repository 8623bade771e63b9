/**
 * What `init` writes, decided from what it found in the project: pure, so each
 * kind of project is a unit test. The reading of the disk is in init-facts.ts.
 */
export interface ProjectFacts {
  /** package.json's scripts, when there is a package.json. */
  readonly scripts?: Readonly<Record<string, string>>;
  /** From the lockfile: how to run a script. */
  readonly packageManager?: 'npm' | 'pnpm' | 'yarn' | 'bun';
  readonly lockfile?: string;
  /** pyproject.toml, setup.py or requirements*.txt. */
  readonly python?: string;
  /** A file that imports sqlalchemy (or a dependency on it). */
  readonly sqlalchemy?: string;
  /** ruff configured (pyproject [tool.ruff], ruff.toml): its gate is left on. */
  readonly ruff: boolean;
  /** Tests to run with pytest (tests/, conftest.py, a pytest dependency). */
  readonly pytest: boolean;
  readonly go: boolean;
  /** Other hook managers found: they keep running; orchestra's hooks are beside them. */
  readonly hookManagers: readonly string[];
}

export interface InitPlan {
  readonly presets: readonly string[];
  /** `from`: a hook manager's file the gate was imported from (its run is then quoted as written). */
  readonly gates: ReadonlyArray<{ readonly name: string; readonly run: string; readonly inputs?: readonly string[]; readonly from?: string }>;
  /** Preset gates turned off, with why. */
  readonly disabled: ReadonlyArray<{ readonly name: string; readonly why: string }>;
  readonly prePush: readonly string[];
  /** One line per fact, for the user. */
  readonly detected: readonly string[];
}

/** The scripts worth a gate, in the order they run best (cheap first). */
const SCRIPT_GATES = ['lint', 'typecheck', 'test'] as const;
/** npm's placeholder `test` script fails by design: not a test suite. */
const NPM_PLACEHOLDER = /no test specified/;

/** A hook another manager runs, to become a gate (see init-hooks-import.ts). */
export interface HookToImport {
  readonly name: string;
  readonly run: string;
  readonly from: string;
}

export function initPlan(
  facts: ProjectFacts,
  presetHooks: (preset: string) => readonly string[],
  chosen?: readonly string[],
  imported: readonly HookToImport[] = [],
): InitPlan {
  const detected: string[] = [];
  const presets: string[] = ['hygiene'];
  const disabled: Array<{ name: string; why: string }> = [];
  const gates: Array<{ name: string; run: string; inputs?: string[]; from?: string }> = [];

  if (facts.scripts) {
    const pm = facts.packageManager ?? 'npm';
    const found = SCRIPT_GATES.filter((s) => facts.scripts?.[s] !== undefined && !NPM_PLACEHOLDER.test(facts.scripts[s] ?? ''));
    detected.push(
      `package.json${facts.lockfile ? ` with ${facts.lockfile} (${pm})` : ''}: ${found.length ? `scripts ${found.join(', ')}` : 'no lint, typecheck or test script'}`,
    );
    for (const s of found) gates.push({ name: s, run: pm === 'npm' && s === 'test' ? 'npm test' : `${pm} run ${s}` });
  }
  if (facts.python) {
    presets.push('python');
    detected.push(`Python (${facts.python})${facts.ruff ? ', ruff configured' : ''}${facts.pytest ? ', pytest tests' : ''}`);
    if (!facts.ruff) disabled.push({ name: 'ruff', why: 'no ruff configuration found' });
    if (!facts.pytest) disabled.push({ name: 'pytest', why: 'no pytest tests found' });
  }
  if (facts.sqlalchemy) {
    presets.push('sqlalchemy');
    detected.push(`SQLAlchemy (${facts.sqlalchemy})`);
  }
  if (facts.go) {
    presets.push('go');
    detected.push('Go (go.mod)');
  }
  for (const m of facts.hookManagers) detected.push(`${m}: its hooks stay as they are; orchestra's are written beside them`);
  if (detected.length === 0) detected.push('no package.json, Python or Go project: hygiene checks only');

  const use = chosen ?? presets;
  const off = new Set(disabled.map((d) => d.name));
  const fromPresets = use.flatMap((p) => presetHooks(p)).filter((g) => !off.has(g));
  // An imported hook keeps its name unless a gate here already has it (a script, a preset's): then the manager's name is added.
  const taken = new Set([...gates.map((g) => g.name), ...off, ...fromPresets, 'conflict-markers', 'no-todo']);
  const seen = new Map<string, string>();
  for (const h of imported) {
    const key = `${h.name}\0${h.run}`;
    if (seen.has(key)) continue; // the same command under two hooks (pre-commit and pre-push): one gate
    let name = h.name;
    const manager = h.from.startsWith('.pre-commit') ? 'pre-commit' : 'lefthook';
    for (let n = 2; taken.has(name); n++) name = n === 2 ? `${h.name}-${manager}` : `${h.name}-${manager}-${n - 1}`;
    taken.add(name);
    seen.set(key, name);
    gates.push({ name, run: h.run, from: h.from });
  }
  const prePush = [
    ...new Set([...gates.filter((g) => !g.from).map((g) => g.name), 'conflict-markers', ...fromPresets, ...gates.filter((g) => g.from).map((g) => g.name)]),
  ];
  return { presets: use, gates, disabled: use.includes('python') ? disabled : [], prePush, detected };
}

const list = (items: readonly string[]): string => `[${items.join(', ')}]`;

/** The config file's text for a plan. */
export function renderConfig(plan: InitPlan, schemaPath: string): string {
  const lines = [
    `# yaml-language-server: $schema=${schemaPath}`,
    '# orchestra: gates that must hold, phases of work for agents, and the order between them.',
    `extends: ${list(plan.presets)}`,
    '',
    'gates:',
  ];
  for (const g of plan.gates) {
    // An imported command is the other manager's text: quoted (a JSON string is YAML), and said where from.
    if (g.from) lines.push(`  ${g.name}: # from ${g.from}`, `    run: ${JSON.stringify(g.run)}`, '    timeout: 10m');
    else lines.push(`  ${g.name}:`, `    run: ${g.run}`, '    timeout: 10m');
  }
  for (const d of plan.disabled) lines.push(`  ${d.name}: { enabled: false } # ${d.why}`);
  if (plan.presets.includes('hygiene')) lines.push('  no-todo: { severity: warning } # a note left for later is worth a look, not a failed push');
  const phaseGates = plan.prePush;
  lines.push(
    '',
    'phases:',
    '  - id: build',
    '    tasks:',
    '      - id: first-task',
    '        agent: implementer',
    '        prompt: Describe the change you want here.',
    '        scope: { touch: ["src/**", "test/**"] }',
    `    gates: ${list(phaseGates)}`,
    '    fix: { agent: fix-executor, attempts: 3 }',
    '',
    'hooks:',
    `  pre-push: ${list(plan.prePush)}`,
    '',
  );
  return lines.join('\n');
}
