import type { Diagnostic } from '../config/diagnostic.js';
import { hasErrors } from '../config/diagnostic.js';
import { loadConfig } from '../config/load.js';
import type { SourceStore } from '../config/source-text.js';
import type { Config } from '../config/types.js';
import { compile } from '../graph/compile.js';
import type { Graph } from '../graph/types.js';
import { readAnswer, type PlanAnswer } from './answer.js';
import { planYaml, type Move } from './plan-yaml.js';

export interface CheckContext {
  readonly cwd: string;
  readonly configFile: string;
  /** Where the plan will be written: diagnostics about it point there. */
  readonly planFile: string;
  /** Where the answer of round n is said to be (diagnostics about the JSON itself point there). */
  answerFile(round: number): string;
  /** Comment lines at the top of the plan file. */
  readonly header: readonly string[];
}

export type Checked =
  | {
      readonly ok: true;
      readonly answer: PlanAnswer;
      readonly yaml: string;
      readonly config: Config;
      readonly graph: Graph;
      readonly moves: readonly Move[];
      readonly warnings: readonly Diagnostic[];
      readonly sources: SourceStore;
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly sources: SourceStore };

/**
 * One answer, checked as a config is: the answer's own shape (plan schema,
 * paths inside the repo), then the plan file made of it loaded over the
 * user's config (config schema, references to gates, agents and phases,
 * duplicate ids), then compiled (cycles). Tasks of one wave whose scopes
 * overlap are not a problem to send back: the compile orders the later one
 * after the earlier, and the plan file says so.
 */
export async function checkAnswer(text: string, round: number, ctx: CheckContext): Promise<Checked> {
  const sources: SourceStore = new Map();
  const read = readAnswer(text, ctx.answerFile(round), sources);
  if (!read.ok) return { ok: false, diagnostics: read.diagnostics, sources };
  const answer = read.value;
  const plain = planYaml(answer, ctx.header);
  const loaded = await loadConfig({ cwd: ctx.cwd, configPath: ctx.configFile, cache: false, plan: { file: ctx.planFile, text: plain } });
  for (const [file, source] of loaded.sources) sources.set(file, source);
  if (!loaded.config || hasErrors(loaded.diagnostics)) return { ok: false, diagnostics: loaded.diagnostics.filter((d) => d.severity === 'error'), sources };
  const compiled = compile(loaded.config);
  if (!compiled.graph) return { ok: false, diagnostics: compiled.diagnostics.filter((d) => d.severity === 'error'), sources };
  const ours = new Set(answer.phases.map((p) => p.id));
  const nodes = new Map(compiled.graph.nodes.map((n) => [n.id, n]));
  const moves: Move[] = compiled.graph.scopeDecisions.flatMap((d) => {
    const later = nodes.get(d.later);
    const earlier = nodes.get(d.earlier);
    // Only the plan's own waves: an overlap with a phase of the config matters only when both run, and a run orders it then.
    if (!later?.phase || !earlier?.phase || !ours.has(later.phase) || !ours.has(earlier.phase)) return [];
    return [
      { phase: later.phase, task: later.name, after: earlier.phase === later.phase ? earlier.name : `${earlier.phase}/${earlier.name}`, patterns: d.patterns },
    ];
  });
  const warnings = [...loaded.diagnostics, ...compiled.diagnostics].filter((d) => d.severity === 'warning');
  return { ok: true, answer, yaml: planYaml(answer, ctx.header, moves), config: loaded.config, graph: compiled.graph, moves, warnings, sources };
}
