import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from './layout.js';

/**
 * The one rule for task, phase and run ids: what both a git ref component
 * (`orchestra/<run>/<phase>/<task>`: no `..`, no leading or trailing dot, no
 * `.lock` ending, no `:`, `/` or spaces) and a file name accept, at most 100
 * characters. The schema's `id` definition has the same pattern (a test
 * compares them); anything else never reaches a path or a ref.
 */
export const ID = /^(?=.{1,100}$)(?!.*\.lock$)[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;
export const ID_RULE = 'letters, digits, _ and -, with single dots between them; not ending in .lock; at most 100 characters';

/** What a run id may look like: the id rule. */
export const RUN_ID = ID;

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
