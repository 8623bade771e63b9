import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `.orchestra/` beside the config: cache, runs, reports. It carries its own
 * `.gitignore` so that it is never committed, even where `orchestra init`
 * never ran.
 */
export function ensureStateDir(stateDir: string): string {
  mkdirSync(stateDir, { recursive: true });
  const ignore = path.join(stateDir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
  return stateDir;
}

export function stateDirOf(configRoot: string): string {
  return path.join(configRoot, '.orchestra');
}

/** Sortable and unique enough for one repo: 20261121-051500-3f9a. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

/** Runs kept in .orchestra/runs; older ones go when a new run starts (a pre-push hook makes many). */
export const RUNS_KEPT = 50;

export function pruneRuns(stateDir: string, keep = RUNS_KEPT): void {
  const dir = path.join(stateDir, 'runs');
  let names: string[];
  try {
    names = readdirSync(dir).sort(); // run ids sort by time
  } catch {
    return;
  }
  for (const name of names.slice(0, Math.max(0, names.length - keep))) rmSync(path.join(dir, name), { recursive: true, force: true });
}

/** A node id as a file name: the per-node log, prompt and worktree all use it. */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]+/g, '_');
}
