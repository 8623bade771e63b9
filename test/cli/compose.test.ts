import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from '../helpers/repo.js';

const MODELS = 'from sqlalchemy import Column, DateTime, func\nclass A:\n    created_at = Column(DateTime, server_default=func.now())\n';

describe.concurrent('presets compose, and every finding shows', () => {
  it("extends: [sqlalchemy, python] with ruff off: validate is clean, explains each hook entry's file, and the push runs the sqlalchemy gates", async () => {
    const repo = makeRepo({
      'orchestra.config.yaml':
        'extends: [sqlalchemy, python]\ngates:\n  ruff: { enabled: false }\n  imports: { enabled: false }\n  pytest: { enabled: false }\n',
      'models.py': MODELS,
    });
    const v = await runCli(['validate', '--explain'], repo);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('is valid: 2 gates (3 disabled)');
    expect(v.stdout).toContain('pre-push: timestamps (sqlalchemy), timezone-aware (sqlalchemy)');
    expect(v.stderr).toContain("warning: note: hook 'pre-push' skips gate 'ruff'");
    const check = await runCli(['check', '--hook', 'pre-push'], repo);
    expect(check.stderr).not.toContain('unknown gate');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('✓ timestamps');
    expect(check.stdout).toContain('✓ timezone-aware');
  });

  it("the user's own hook list replaces the presets'", async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'extends: [sqlalchemy, python]\nhooks:\n  pre-push: [timestamps]\n' });
    const v = await runCli(['validate', '--explain'], repo);
    expect(v.stdout).toContain('pre-push: timestamps (orchestra.config.yaml)\n');
  });

  it('a warning is shown in yellow under the gate that held, and counted', async () => {
    const repo = makeRepo({ 'orchestra.config.yaml': 'extends: [sqlalchemy]\n', 'models.py': MODELS });
    const plain = await runCli(['check', 'timezone-aware'], repo);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('✓ timezone-aware');
    expect(plain.stdout).toContain("models.py:3:25: warning: 'created_at' is a DateTime without timezone=True");
    expect(plain.stdout).toContain('1 passed, 0 failed, 1 warning');
    const coloured = await runCli(['check', 'timezone-aware'], repo, { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(coloured.stdout).toContain('\x1b[33mwarning\x1b[39m');
    // Replayed from the cache, it still shows.
    expect(coloured.stdout).toContain('cached');
    expect(coloured.stdout).toContain('1 warning');
  });
});
