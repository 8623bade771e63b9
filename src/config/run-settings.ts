import { homedir } from 'node:os';
import path from 'node:path';
import type { Diagnostic, Loc } from './diagnostic.js';
import { isPlainObject, type PlainObject } from './located.js';
import { getNumber, getObject, getString, getStrings, loc } from './read.js';
import { durationOf } from './team.js';
import type { AlertSettings, Budget, MergeSettings, SandboxSettings, WorktreeSettings } from './types.js';

/**
 * The config's run-wide settings, read from the checked tree (the schema has
 * reported what is wrong in them): budget, sandbox, worktree setup, merge.
 */
/** Lockfiles are made again by their tool after a merge, never merged as text. */
const REGENERATE: ReadonlyArray<[string, string]> = [
  ['package-lock.json', 'npm install --package-lock-only --no-audit --no-fund'],
  ['pnpm-lock.yaml', 'pnpm install --lockfile-only'],
  ['yarn.lock', 'yarn install --mode update-lockfile'],
  ['uv.lock', 'uv lock'],
  ['poetry.lock', 'poetry lock --no-update'],
];

export function mergeOf(raw: PlainObject): MergeSettings {
  const m = getObject(raw, 'merge') ?? {};
  const own = getObject(m, 'regenerate') ?? {};
  const regenerate = new Map(REGENERATE);
  for (const [glob, command] of Object.entries(own)) if (typeof command === 'string') regenerate.set(glob, command);
  return { attempts: getNumber(m, 'attempts') ?? 2, regenerate };
}

/** `worktree:` as written; each key left out means "detect" (see run/setup-plan.ts). */
export function worktreeOf(raw: PlainObject, fileLoc: Loc, diagnostics: Diagnostic[]): WorktreeSettings {
  const w = getObject(raw, 'worktree');
  if (!w) return {};
  const copy = getStrings(w, 'copy');
  const link = getStrings(w, 'link');
  const rawSetup = w['setup'];
  const setup = typeof rawSetup === 'string' ? [rawSetup] : Array.isArray(rawSetup) ? rawSetup.filter((c): c is string => typeof c === 'string') : undefined;
  const setupTimeoutMs = durationOf(w, 'setupTimeout', loc(raw, 'worktree', fileLoc, 'key'), diagnostics);
  return {
    ...(copy ? { copy } : {}),
    ...(link ? { link } : {}),
    ...(setup ? { setup: setup.map((shell) => ({ shell })) } : {}),
    ...(setupTimeoutMs !== undefined ? { setupTimeoutMs } : {}),
  };
}

/** `sandbox: auto` (the default) or `{ mode, writable }`; writable folders from the config's folder, or from ~. */
export function sandboxOf(raw: PlainObject, root: string, fileLoc: Loc): SandboxSettings {
  const v = raw['sandbox'];
  const section = isPlainObject(v) ? v : {};
  const mode = typeof v === 'string' ? v : getString(section, 'mode');
  const writable = (getStrings(section, 'writable') ?? []).map((p) =>
    p === '~' || p.startsWith('~/') ? path.join(homedir(), p.slice(1)) : path.resolve(root, p),
  );
  // Where `sandbox:` is, for a refusal of `required` to point at (the file's start when the key is absent).
  const at = raw['sandbox'] === undefined ? undefined : loc(raw, 'sandbox', fileLoc, 'key');
  return { mode: mode === 'required' || mode === 'off' ? mode : 'auto', writable, ...(at ? { loc: at } : {}) };
}

export function budgetOf(obj: PlainObject): Budget | undefined {
  const b = getObject(obj, 'budget');
  if (!b) return undefined;
  const minutes = getNumber(b, 'minutes');
  const usd = getNumber(b, 'usd');
  return { ...(minutes !== undefined ? { minutes } : {}), ...(usd !== undefined ? { usd } : {}) };
}

/** The defaults: long enough that a model thinking hard is not "stuck", short enough to matter in a run of an hour. */
export const ALERT_DEFAULTS = { silentMs: 3 * 60_000, stalledMs: 2 * 60_000, loopRepeats: 3 } as const;

/** `alerts:` with its defaults; the schema has checked the types and a bad duration is a diagnostic at its key. */
export function alertsOf(raw: PlainObject, fileLoc: Loc, diagnostics: Diagnostic[]): AlertSettings {
  const a = getObject(raw, 'alerts') ?? {};
  const at = loc(raw, 'alerts', fileLoc, 'key');
  const run = getStrings(a, 'run');
  return {
    silentMs: durationOf(a, 'silentAfter', at, diagnostics) ?? ALERT_DEFAULTS.silentMs,
    stalledMs: durationOf(a, 'stalledAfter', at, diagnostics) ?? ALERT_DEFAULTS.stalledMs,
    loopRepeats: getNumber(a, 'loop') ?? ALERT_DEFAULTS.loopRepeats,
    ...(run?.length ? { run } : {}),
  };
}
