import type { Command, WorktreeSettings } from '../config/types.js';

/**
 * What each new worktree gets before its agent or gates start, decided from
 * the config's `worktree:` and, for what it leaves out, from the files at the
 * repository's root. Pure: `present` answers whether a root file exists.
 */
export interface SetupStep {
  readonly command: Command;
  /** Where it came from: `worktree.setup`, or the lockfile that suggested it. */
  readonly why: string;
}

export interface SetupPlan {
  /** Copied from the user's tree where they exist; never committed from the worktree. */
  readonly copy: readonly string[];
  /** Linked from the user's tree; never committed. */
  readonly link: readonly string[];
  readonly setup: readonly SetupStep[];
  /**
   * Instead of the detected install: when the worktree's lockfile is the
   * user's byte for byte and the user's dependency folder exists, link that
   * folder (read-only for a sandboxed agent): a worktree is ready at once.
   */
  readonly reuse?: {
    readonly dir: string;
    readonly lockfile: string;
    /** A task that may change the lockfile gets its own copy (copy-on-write where the filesystem can), not a link. */
    readonly copy?: boolean;
  };
  readonly timeoutMs: number;
  /** What was found and what it means, one line each, for `plan` and `doctor`. */
  readonly detected: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_COPY = ['.env', '.env.local'];

interface Installer {
  readonly lockfile: string;
  readonly command: string;
  /** The folder it fills, which an unchanged lockfile lets a worktree borrow. */
  readonly dir?: string;
}

/** In order of precedence: one JavaScript installer at most (a repo with two lockfiles means the first), one Python one. */
const JS: readonly Installer[] = [
  { lockfile: 'pnpm-lock.yaml', command: 'pnpm install --frozen-lockfile --prefer-offline', dir: 'node_modules' },
  { lockfile: 'bun.lock', command: 'bun install --frozen-lockfile', dir: 'node_modules' },
  { lockfile: 'bun.lockb', command: 'bun install --frozen-lockfile', dir: 'node_modules' },
  { lockfile: 'yarn.lock', command: 'yarn install --immutable', dir: 'node_modules' },
  { lockfile: 'package-lock.json', command: 'npm ci --prefer-offline --no-audit --no-fund', dir: 'node_modules' },
];
const PY: readonly Installer[] = [
  { lockfile: 'uv.lock', command: 'uv sync --frozen', dir: '.venv' },
  { lockfile: 'poetry.lock', command: 'poetry install --no-interaction' },
];

export function setupPlan(settings: WorktreeSettings, present: (file: string) => boolean): SetupPlan {
  const detected: string[] = [];
  const copy = settings.copy ?? DEFAULT_COPY.filter(present);
  if (!settings.copy && copy.length) detected.push(`${copy.join(', ')}: copied into each worktree (worktree.copy to choose)`);
  const timeoutMs = settings.setupTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = { copy, link: settings.link ?? [], timeoutMs };
  if (settings.setup) return { ...base, setup: settings.setup.map((command) => ({ command, why: 'worktree.setup' })), detected };

  const js = JS.find((i) => present(i.lockfile));
  // Yarn 2+ (a .yarnrc.yml) spells a frozen install --immutable; Yarn 1 --frozen-lockfile.
  const yarn1 = js?.lockfile === 'yarn.lock' && !present('.yarnrc.yml');
  const found = [yarn1 ? { ...js, command: 'yarn install --frozen-lockfile --prefer-offline' } : js, PY.find((i) => present(i.lockfile))].filter(
    (i): i is Installer => i !== undefined,
  );
  for (const i of found)
    detected.push(`${i.lockfile}: each new worktree runs \`${i.command}\`${i.dir ? `, or borrows ${i.dir} while the lockfile is yours unchanged` : ''}`);
  if (found.length === 0 && present('requirements.txt'))
    detected.push(
      'requirements.txt: not installed by default (it would go into whichever Python is active); set worktree.setup, e.g. python -m venv .venv && .venv/bin/pip install -r requirements.txt',
    );
  // One folder to borrow: with two installers (a JS and a Python one), both run.
  const reuse = found.length === 1 && found[0]?.dir ? { dir: found[0].dir, lockfile: found[0].lockfile } : undefined;
  return {
    ...base,
    setup: found.map((i) => ({ command: { shell: i.command }, why: i.lockfile })),
    ...(reuse ? { reuse } : {}),
    detected,
  };
}

/** Every lockfile an installer here reads, and the manifests beside them: a change to any means a new install. */
export const DEPENDENCY_FILES: readonly string[] = [...new Set([...JS, ...PY].map((i) => i.lockfile)), 'package.json', 'pyproject.toml'];

/** The paths a worktree's setup put there, which orchestra never commits from it. */
export function setupPaths(plan: SetupPlan): string[] {
  return [...new Set([...plan.copy, ...plan.link, ...(plan.reuse ? [plan.reuse.dir] : [])])];
}
