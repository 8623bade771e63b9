import type { Diagnostic } from '../config/diagnostic.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { topLevelGates } from '../exec/gate-selection.js';
import { compile } from '../graph/compile.js';
import type { Graph } from '../graph/types.js';
import { Workspace } from '../workspace/layout.js';

export type Here = { readonly ok: true; readonly config: Config; readonly gates: Graph } | { readonly ok: false; readonly error: string };

/** Diagnostics as one message for a model: each problem on its line, with its hint. Pure. */
export function diagnosticsText(ds: readonly Diagnostic[]): string {
  return ds
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.loc ? `${d.loc.file}: ` : ''}${d.message}${d.hint ? ` (${d.hint})` : ''}`)
    .join('\n');
}

/**
 * The config that applies in `dir` (searched upwards, as every command does)
 * and its top-level gates, or what is wrong with it. Read again on every call:
 * the parse cache keeps that cheap, and an agent may have just changed it.
 */
export async function loadHere(dir: string): Promise<Here> {
  const outcome = await loadConfig({ cwd: dir, cache: true });
  if (!outcome.config) return { ok: false, error: `the orchestra config could not be loaded:\n${diagnosticsText(outcome.diagnostics) || 'no config found'}` };
  const compiled = compile(outcome.config);
  if (!compiled.graph) return { ok: false, error: `the orchestra config does not compile:\n${diagnosticsText(compiled.diagnostics)}` };
  return { ok: true, config: outcome.config, gates: topLevelGates(compiled.graph) };
}

/**
 * The `.orchestra/` a server started in `root` reads: the repository's that
 * runs the run when `root` is a task's worktree (its gate cache, its record),
 * else the one beside the config.
 */
export function workspaceFor(root: string): Workspace {
  return Workspace.enclosing(root) ?? Workspace.of(root);
}
