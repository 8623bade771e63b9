import { formatDuration } from '../config/duration.js';
import type { Config } from '../config/types.js';
import type { Graph } from '../graph/types.js';
import { defaultGates, gateCommand } from './gate-check.js';

/**
 * The answer to `list_gates`: each top-level gate with what it checks, why
 * (its description), what it needs and looks at, and where it is used; then
 * the default set of `check_gate`. Pure.
 */
export function formatGateList(config: Config, gates: Graph, phase: string | undefined): string {
  if (gates.nodes.length === 0) return 'the config has no top-level gates';
  const hooksOf = (name: string): string[] =>
    Object.entries(config.hooks)
      .filter(([, list]) => list?.some((r) => r.id === name))
      .map(([hook]) => hook);
  const phasesOf = (name: string): string[] => config.phases.filter((p) => p.gates.some((r) => r.id === name)).map((p) => p.id);
  const blocks = gates.nodes.flatMap((n) => {
    if (n.kind !== 'gate') return [];
    const g = n.gate;
    const lines = [`${g.name}: ${gateCommand(g)}`];
    if (g.description) lines.push(`  ${g.description}`);
    if (g.needs.length) lines.push(`  needs: ${g.needs.map((r) => r.id).join(', ')}`);
    const files = g.rule ? g.files : (g.inputs ?? []);
    if (files.length) lines.push(`  ${g.rule ? 'files' : 'inputs'}: ${files.join(', ')}`);
    if (g.timeoutMs !== undefined) lines.push(`  timeout: ${formatDuration(g.timeoutMs)}`);
    const hooks = hooksOf(g.name);
    if (hooks.length) lines.push(`  git hooks: ${hooks.join(', ')}`);
    const phases = phasesOf(g.name);
    if (phases.length) lines.push(`  phases: ${phases.join(', ')}`);
    return [lines.join('\n')];
  });
  const own = defaultGates(config, phase);
  const byDefault = own.length
    ? `check_gate checks by default the gates of phase ${phase}: ${own.join(', ')}`
    : 'check_gate checks every gate above by default';
  return [...blocks, byDefault].join('\n');
}
