import { describe, expect, it } from 'vitest';
import { initPlan, renderConfig, type ProjectFacts } from '../../src/cli/commands/init-plan.js';

const none: ProjectFacts = { ruff: false, pytest: false, go: false, hookManagers: [] };
const HOOKS: Record<string, string[]> = { python: ['imports', 'ruff', 'pytest'], sqlalchemy: ['timestamps', 'timezone-aware'], go: ['go-vet', 'go-test'] };
const hooks = (p: string) => HOOKS[p] ?? [];

describe('init plan', () => {
  it('a Python project gets the python preset, with ruff and pytest off when it has neither, and never npm test', () => {
    const plan = initPlan({ ...none, python: 'pyproject.toml', sqlalchemy: 'app/models.py' }, hooks);
    expect(plan.presets).toEqual(['hygiene', 'python', 'sqlalchemy']);
    expect(plan.disabled.map((d) => d.name)).toEqual(['ruff', 'pytest']);
    expect(plan.prePush).toEqual(['conflict-markers', 'imports', 'timestamps', 'timezone-aware']);
    expect(plan.detected).toEqual(['Python (pyproject.toml)', 'SQLAlchemy (app/models.py)']);
    const text = renderConfig(plan, 'x.json');
    expect(text).not.toContain('npm');
    expect(text).toContain('  ruff: { enabled: false }');
  });

  it("a JS project gets gates for the scripts it has, run with its package manager; npm's placeholder test is no test", () => {
    const plan = initPlan(
      { ...none, scripts: { test: 'echo "Error: no test specified" && exit 1', lint: 'eslint .' }, lockfile: 'pnpm-lock.yaml', packageManager: 'pnpm' },
      hooks,
    );
    expect(plan.gates).toEqual([{ name: 'lint', run: 'pnpm run lint' }]);
    expect(plan.prePush).toEqual(['lint', 'conflict-markers']);
    expect(initPlan({ ...none, scripts: {} }, hooks).gates).toEqual([]);
    expect(initPlan({ ...none, scripts: { test: 'vitest' } }, hooks).gates).toEqual([{ name: 'test', run: 'npm test' }]);
  });

  it('no-todo is a warning; --preset replaces what was detected; other hook managers are named', () => {
    const plan = initPlan({ ...none, python: 'requirements.txt', hookManagers: ['lefthook.yml'] }, hooks, ['go']);
    expect(plan.presets).toEqual(['go']);
    expect(plan.disabled).toEqual([]);
    expect(plan.detected).toContain("lefthook.yml: its hooks stay as they are; orchestra's are written beside them");
    expect(renderConfig(initPlan(none, hooks), 's.json')).toContain('no-todo: { severity: warning }');
    expect(renderConfig(plan, 's.json')).not.toContain('no-todo');
  });
});
