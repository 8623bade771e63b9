import { describe, expect, it } from 'vitest';
import { setupPaths, setupPlan } from '../../src/run/setup-plan.js';

const files =
  (...names: string[]) =>
  (f: string) =>
    names.includes(f);

describe('setupPlan', () => {
  it('detects the install from the lockfile, borrows its folder while unchanged, and copies .env', () => {
    const plan = setupPlan({}, files('package-lock.json', '.env'));
    expect(plan.copy).toEqual(['.env']);
    expect(plan.setup).toEqual([{ command: { shell: 'npm ci --prefer-offline --no-audit --no-fund' }, why: 'package-lock.json' }]);
    expect(plan.reuse).toEqual({ dir: 'node_modules', lockfile: 'package-lock.json' });
    expect(plan.timeoutMs).toBe(600_000);
    expect(plan.detected).toEqual([
      '.env: copied into each worktree (worktree.copy to choose)',
      'package-lock.json: each new worktree runs `npm ci --prefer-offline --no-audit --no-fund`, or borrows node_modules while the lockfile is yours unchanged',
    ]);
    expect(setupPaths(plan)).toEqual(['.env', 'node_modules']);
  });

  it('knows pnpm, bun, both yarns, uv and poetry; one JS installer (pnpm first), and no borrowing with two installers', () => {
    const cmd = (...names: string[]) => setupPlan({}, files(...names)).setup.map((s) => ('shell' in s.command ? s.command.shell : ''));
    expect(cmd('pnpm-lock.yaml', 'package-lock.json')).toEqual(['pnpm install --frozen-lockfile --prefer-offline']);
    expect(cmd('bun.lockb')).toEqual(['bun install --frozen-lockfile']);
    expect(cmd('yarn.lock')).toEqual(['yarn install --frozen-lockfile --prefer-offline']);
    expect(cmd('yarn.lock', '.yarnrc.yml')).toEqual(['yarn install --immutable']);
    expect(cmd('uv.lock')).toEqual(['uv sync --frozen']);
    expect(cmd('poetry.lock')).toEqual(['poetry install --no-interaction']);
    const both = setupPlan({}, files('package-lock.json', 'uv.lock'));
    expect(both.setup).toHaveLength(2);
    expect(both.reuse).toBeUndefined();
  });

  it('says a requirements.txt is not installed by default, and why', () => {
    const plan = setupPlan({}, files('requirements.txt'));
    expect(plan.setup).toEqual([]);
    expect(plan.detected[0]).toMatch(/^requirements\.txt: not installed by default .* set worktree\.setup/);
  });

  it("takes the config's choices over what it detects: its own setup (no borrowing), copy, link, timeout; [] means none", () => {
    const plan = setupPlan(
      { setup: [{ shell: 'make deps' }], copy: ['local.json'], link: ['vendor'], setupTimeoutMs: 5000 },
      files('package-lock.json', '.env'),
    );
    expect(plan).toEqual({
      copy: ['local.json'],
      link: ['vendor'],
      setup: [{ command: { shell: 'make deps' }, why: 'worktree.setup' }],
      timeoutMs: 5000,
      detected: [],
    });
    expect(setupPlan({ setup: [], copy: [] }, files('package-lock.json', '.env'))).toMatchObject({ copy: [], setup: [] });
    expect(setupPaths(plan)).toEqual(['local.json', 'vendor']);
  });
});
