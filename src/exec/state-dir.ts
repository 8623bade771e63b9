import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
