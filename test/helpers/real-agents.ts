import { afterEach, beforeAll } from 'vitest';
import { agentClis, type AgentClis } from '../fixtures/model-server/clis.js';

/**
 * The environment that points the real Claude Code at the scripted model server (test/fixtures/model-server), quietly:
 * its own HOME and TMPDIR, no telemetry, update checks, error reports, non-essential traffic or retries of its own.
 */
export function claudeEnv(modelUrl: string, home: string, tmp: string): Record<string, string> {
  return {
    HOME: home,
    TMPDIR: tmp,
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'x',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
}

/**
 * The pinned agent CLIs (installed once; a failed install fails the file's tests) and a list of clean-ups run after
 * each test, newest first: what every test file that drives a real CLI needs. Call it once at the top of the file.
 */
export function realAgentHooks(): { readonly clis: () => AgentClis; readonly cleanup: (fn: () => Promise<void> | void) => void } {
  let clis: AgentClis | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    clis = await agentClis();
  }, 600_000);
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    clis: () => {
      if (!clis) throw new Error('the agent CLIs are not installed yet (realAgentHooks().clis() is for inside a test)');
      return clis;
    },
    cleanup: (fn) => void cleanups.push(fn),
  };
}
