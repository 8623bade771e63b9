import path from 'node:path';
import type { AdapterName } from '../config/types.js';
import { unreachable } from '../util/unreachable.js';

/**
 * Where each agent CLI keeps its own state (sessions, settings, logins,
 * caches), as its own documentation names it: writable inside the sandbox,
 * since a CLI that cannot write there does not start. Taken from the agent's
 * environment (its `env` in team.json over orchestra's own), so a test's or
 * a CI job's private HOME is the one made writable.
 */
export interface StateEntry {
  readonly path: string;
  readonly kind: 'dir' | 'file';
}

export function stateEntries(adapter: AdapterName | undefined, env: Readonly<Record<string, string | undefined>>): StateEntry[] {
  const home = env['HOME'];
  if (!home) return [];
  const inHome = (name: string, kind: StateEntry['kind'] = 'dir'): StateEntry => ({ path: path.join(home, name), kind });
  // Not ~/.cache: the CLIs themselves may be installed there, and an agent must not be able to rewrite the next agent's CLI.
  if (adapter === undefined) return [];
  switch (adapter) {
    case 'claude-code': {
      const dir = env['CLAUDE_CONFIG_DIR'];
      // CLAUDE_CONFIG_DIR moves both the folder and the `.claude.json` beside it.
      return dir ? [{ path: dir, kind: 'dir' }] : [inHome('.claude'), inHome('.claude.json', 'file')];
    }
    case 'codex':
      return [env['CODEX_HOME'] ? { path: env['CODEX_HOME'], kind: 'dir' } : inHome('.codex')];
    case 'gemini':
      return [inHome('.gemini')];
    case 'aider':
      return [inHome('.aider')];
    default:
      return unreachable(adapter);
  }
}
