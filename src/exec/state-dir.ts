import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  const ids = runIds(stateDir);
  for (const id of ids.slice(0, Math.max(0, ids.length - keep))) rmSync(path.join(stateDir, 'runs', id), { recursive: true, force: true });
}

/** What a run id may look like; anything else never reaches a path. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * The run ids in `.orchestra/runs/`, oldest first. orchestra's own ids start
 * with their time; a name given with `--run-id` is placed by when its folder
 * was made, so `status`, `resume` and pruning agree on which run is the latest.
 */
export function runIds(stateDir: string): string[] {
  const dir = path.join(stateDir, 'runs');
  let names: string[];
  try {
    names = readdirSync(dir).filter((d) => RUN_ID.test(d));
  } catch {
    return [];
  }
  const when = (id: string): string => {
    if (/^\d{8}-\d{6}-/.test(id)) return id;
    try {
      const st = statSync(path.join(dir, id));
      return `${newRunId(new Date(st.birthtimeMs || st.mtimeMs)).slice(0, 15)}-~${id}`;
    } catch {
      return id;
    }
  };
  return names
    .map((id) => [when(id), id] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, id]) => id);
}

/** The log a node (or a fix round, `fix:x#2`) writes: `<run>/logs/<node>.log`. */
export function logFileOf(runDir: string, nodeId: string): string {
  return path.join(runDir, 'logs', `${fileSafe(nodeId)}.log`);
}

/** A node id as a file name: the per-node log, prompt and worktree all use it. */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]+/g, '_');
}
