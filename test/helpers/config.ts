import { expect } from 'vitest';
import { loadConfig, type LoadOutcome } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { makeRepo, TEAM } from './repo.js';

/** Loads a config written as YAML (with a default team) through the real loader. */
export async function load(yaml: string, extra: Record<string, string> = {}): Promise<LoadOutcome & { repo: string }> {
  const repo = makeRepo({ 'orchestra.config.yaml': yaml, 'team.json': TEAM, ...extra });
  return { ...(await loadConfig({ cwd: repo })), repo };
}

export async function configOf(yaml: string, extra: Record<string, string> = {}): Promise<Config> {
  const outcome = await load(yaml, extra);
  expect(outcome.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return outcome.config as Config;
}
