import type { Config } from '../config/types.js';
import type { Graph } from '../graph/types.js';
import { RULE_DEFAULT_EXCLUDE } from './gate-cache.js';
import { matcher } from './select-files.js';
import { ruleTarget } from './rule-target.js';

/**
 * The gates of `graph` that read any of `paths` (relative to the config's
 * folder): a rule gate its files, a command gate its `inputs`. A command gate
 * without `inputs` could read anything, so any path counts for it. Decides
 * whether a hook can judge the working tree in place of a commit: only when
 * no gate reads a file where the two differ.
 */
export function gatesReading(config: Config, graph: Graph, paths: readonly string[]): string[] {
  if (paths.length === 0) return [];
  const out: string[] = [];
  for (const n of graph.nodes) {
    if (n.kind !== 'gate') continue;
    const gate = n.gate;
    const rule = ruleTarget(config, gate);
    let reads: (file: string) => boolean;
    if (rule) {
      const yes = matcher(gate.files.length ? gate.files : rule.files);
      const no = matcher([...gate.exclude, ...rule.exclude, ...RULE_DEFAULT_EXCLUDE]);
      reads = (f) => yes(f) && !no(f);
    } else if (gate.inputs) reads = matcher(gate.inputs);
    else reads = () => true;
    if (paths.some(reads)) out.push(gate.name);
  }
  return out;
}
