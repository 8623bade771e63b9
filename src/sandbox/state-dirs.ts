import path from 'node:path';
import type { AdapterName } from '../config/types.js';
import { unreachable } from '../util/unreachable.js';

/**
 * Where each agent CLI keeps its own state (sessions, logins, caches), as its
 * own documentation names it: writable inside the sandbox, since a CLI that
 * cannot write there does not start. Taken from the agent's environment (its
 * `env` in team.json over orchestra's own), so a test's or a CI job's
 * private HOME is the one made writable.
 *
 * But the same folders hold what the CLI runs or obeys next time (settings
 * with hooks, MCP servers, instructions, commands): an agent that wrote
 * those would reach every later agent and the user's own next session. Those
 * are `guarded`: read-only where they exist, removed after the agent where it
 * made them. A file the CLI rewrites on every start (Claude Code's
 * `.claude.json`, which also lists MCP servers) gets a private copy instead.
 */
export interface CliState {
  readonly writable: ReadonlyArray<{ readonly path: string; readonly kind: 'dir' | 'file' }>;
  readonly guarded: readonly string[];
  readonly copied: readonly string[];
}

const NONE: CliState = { writable: [], guarded: [], copied: [] };

export function cliState(adapter: AdapterName | undefined, env: Readonly<Record<string, string | undefined>>): CliState {
  const home = env['HOME'];
  // Not ~/.cache: the CLIs themselves may be installed there, and an agent must not be able to rewrite the next agent's CLI.
  if (adapter === undefined || !home) return NONE;
  const folder = (dir: string, guarded: readonly string[], copied: readonly string[] = []): CliState => ({
    writable: [{ path: dir, kind: 'dir' }],
    guarded: guarded.map((g) => path.join(dir, g)),
    copied: copied.map((c) => path.join(dir, c)),
  });
  switch (adapter) {
    case 'claude-code': {
      const guarded = ['settings.json', 'settings.local.json', 'CLAUDE.md', 'hooks', 'commands', 'agents', 'plugins', 'output-styles'];
      // CLAUDE_CONFIG_DIR moves both the folder and the `.claude.json` into it.
      const dir = env['CLAUDE_CONFIG_DIR'];
      if (dir) return folder(dir, guarded, ['.claude.json']);
      const own = folder(path.join(home, '.claude'), guarded);
      return { ...own, copied: [path.join(home, '.claude.json')] };
    }
    case 'codex':
      return folder(env['CODEX_HOME'] || path.join(home, '.codex'), ['config.toml', 'AGENTS.md', 'AGENTS.override.md', 'prompts', 'rules']);
    case 'gemini':
      return folder(path.join(home, '.gemini'), ['settings.json', 'GEMINI.md', 'extensions', 'commands']);
    case 'aider':
      return folder(path.join(home, '.aider'), []);
    default:
      return unreachable(adapter);
  }
}

/**
 * Package managers' caches, writable inside every sandbox where they exist:
 * an agent that runs `npm install` and a worktree's setup need them, and they
 * make the second install fast. The trade: a sandboxed process can add to
 * them. npm, pnpm, yarn and uv check what they take from the cache against
 * the lockfile's hashes; pip does not.
 */
export function packageCaches(env: Readonly<Record<string, string | undefined>>): string[] {
  const home = env['HOME'];
  const named = ['npm_config_cache', 'NPM_CONFIG_CACHE', 'YARN_CACHE_FOLDER', 'PIP_CACHE_DIR', 'UV_CACHE_DIR', 'BUN_INSTALL_CACHE_DIR']
    .map((k) => env[k])
    .filter((v): v is string => !!v && path.isAbsolute(v));
  const usual = home
    ? ['.npm', '.cache/pip', '.cache/uv', '.cache/pypoetry', '.cache/yarn', '.yarn/berry/cache', '.cache/pnpm', '.local/share/pnpm', '.bun/install/cache'].map(
        (c) => path.join(home, c),
      )
    : [];
  // `npm run` and `npx` set npm_config_cache for what they start: the cache npm will use is that one, whatever HOME says.
  return [...new Set([...named, ...usual])];
}
