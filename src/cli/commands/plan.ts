import { mkdirSync } from 'node:fs';
import { Workspace } from '../../workspace/layout.js';
import path from 'node:path';
import type { Diagnostic } from '../../config/diagnostic.js';
import type { Config } from '../../config/types.js';
import { compile } from '../../graph/compile.js';
import { buildPlan } from '../../graph/plan.js';
import { selectSubgraph } from '../../graph/select.js';
import type { Graph } from '../../graph/types.js';
import { displayPath, formatDiagnostics } from '../../logger/diagnostic-printer.js';
import { formatPlanMarkdown, formatPlanText, formatSetupText } from '../../logger/plan-text.js';
import { styleFor } from '../../logger/style.js';
import { writeFileAtomic } from '../../util/write-atomic.js';
import { EXIT, type CommonOptions } from '../exit-codes.js';
import { loadOrReport, summarize } from './validate.js';

export interface GraphOptions extends CommonOptions {
  strictScopes: boolean;
  /** Phases to narrow to (with all they need); empty: all. */
  phases: readonly string[];
}

/** load → compile → select, printing any problem; shared by `plan` and `graph`. */
export async function compileOrReport(opts: GraphOptions, whole: boolean): Promise<{ config: Config; graph: Graph; warnings: Diagnostic[] } | undefined> {
  const { config, outcome } = await loadOrReport(opts);
  if (!config) return undefined;
  const compiled = compile(config, { strictScopes: opts.strictScopes });
  const print = (ds: readonly Diagnostic[]): void => {
    if (ds.length) process.stderr.write(`${formatDiagnostics(ds, outcome.sources, process.cwd(), styleFor(process.stderr))}\n`);
  };
  print(compiled.diagnostics);
  if (!compiled.graph) return undefined;
  // A run covers the phases; with none, the plan is what `check` would run.
  const narrow = opts.phases.length > 0 || (!whole && config.phases.length > 0);
  const selected = narrow
    ? selectSubgraph(compiled.graph, opts.phases.length ? opts.phases : config.phases.map((p) => p.id), 'phase')
    : { graph: compiled.graph, diagnostics: [] };
  print(selected.diagnostics);
  if (!selected.graph) return undefined;
  return { config, graph: selected.graph, warnings: [...outcome.diagnostics, ...compiled.diagnostics].filter((d) => d.severity === 'warning') };
}

export interface PlanOptions extends GraphOptions {
  json: boolean;
  write: boolean;
}

export async function planCommand(opts: PlanOptions): Promise<number> {
  const compiled = await compileOrReport(opts, false);
  if (!compiled) return EXIT.usage;
  const { config, graph, warnings } = compiled;
  const plan = buildPlan(config, graph);
  const name = displayPath(config.file, process.cwd());
  // What each worktree of a run gets: only a run makes worktrees.
  const setup = config.phases.length ? (await import('../../run/worktree-setup.js')).setupPlanFor(config) : undefined;
  if (opts.json) process.stdout.write(`${JSON.stringify({ config: name, ...plan, ...(setup ? { worktree: setup } : {}) }, null, 2)}\n`);
  else process.stdout.write(formatPlanText(plan, name, styleFor(process.stdout)) + (setup ? formatSetupText(setup, styleFor(process.stdout)) : ''));
  if (opts.write) {
    const dir = Workspace.of(config.root).reportsDir;
    mkdirSync(dir, { recursive: true });
    const when = new Date();
    const file = path.join(dir, `plan-${when.toISOString().replace(/[:.]/g, '-')}.md`);
    const validation = [`valid: ${summarize(config)}`, ...warnings.map((w) => `warning: ${w.message}`)];
    writeFileAtomic(file, formatPlanMarkdown(plan, name, validation, when));
    (opts.json ? process.stderr : process.stdout).write(`wrote ${displayPath(file, process.cwd())}\n`);
  }
  return EXIT.ok;
}
