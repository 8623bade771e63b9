import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from './layout.js';

/** What a run id may look like; anything else never reaches a path. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Sortable and unique enough for one repo: 20261121-051500-3f9a. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

/** Runs kept in .orchestra/runs; older ones go when a new run starts (a pre-push hook makes many). */
export const RUNS_KEPT = 50;

export function pruneRuns(ws: Workspace, keep = RUNS_KEPT): void {
  const ids = runIds(ws);
  for (const id of ids.slice(0, Math.max(0, ids.length - keep))) rmSync(ws.run(id).dir, { recursive: true, force: true });
}

/**
 * The run ids in `.orchestra/runs/`, oldest first. orchestra's own ids start
 * with their time; a name given with `--run-id` is placed by when its folder
 * was made, so `status`, `resume` and pruning agree on which run is the latest.
 */
export function runIds(ws: Workspace): string[] {
  const dir = ws.runsDir;
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
