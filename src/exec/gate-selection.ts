import { error, type Diagnostic } from '../config/diagnostic.js';
import type { Config } from '../config/types.js';
import { nodeId } from '../graph/compile.js';
import type { Graph } from '../graph/types.js';
import type { GateShard } from './run-gates.js';
import { ruleTarget } from './rule-target.js';
import { parseShard, shardText } from './shard.js';

export interface CiSelection {
  readonly only?: ReadonlySet<string>;
  readonly sharded?: GateShard;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * What a CI job (or a person splitting work) asks of `check`: `--no-needs`
 * runs just the named gates, their needs taken as done; `--shard i/n` gives
 * one rule gate a deterministic share of its files. Pure: the flags and the
 * graph in, the narrowing or what is wrong with it out.
 */
export function narrowForCi(config: Config, graph: Graph, names: readonly string[], flags: { readonly shard?: string; readonly needs: boolean }): CiSelection {
  const diagnostics: Diagnostic[] = [];
  if (!flags.needs && names.length === 0) diagnostics.push(error('--no-needs: name the gates to run (a CI job names its own)'));
  let sharded: GateShard | undefined;
  if (flags.shard !== undefined) {
    const shard = parseShard(flags.shard);
    const gate = names.length === 1 ? graph.nodes.find((n) => n.id === nodeId.gate(names[0] as string)) : undefined;
    const rule = gate?.kind === 'gate' ? ruleTarget(config, gate.gate) : undefined;
    if (!shard) diagnostics.push(error(`--shard ${flags.shard}: expected i/n with 1 <= i <= n, such as 1/4`));
    else if (names.length !== 1)
      diagnostics.push(error(`--shard ${flags.shard}: name exactly one gate to shard (given: ${names.length ? names.join(', ') : 'none'})`));
    else if (gate?.kind === 'gate' && !gate.gate.rule)
      diagnostics.push(error(`--shard ${shardText(shard)}: gate '${gate.name}' runs a command; only a rule gate's files can be split`, gate.gate.loc));
    else if (gate?.kind === 'gate' && rule?.wholeRepo)
      diagnostics.push(
        error(`--shard ${shardText(shard)}: rule '${rule.id}' of gate '${gate.name}' looks at the repo as a whole and cannot be split`, gate.gate.loc),
      );
    else if (gate) sharded = { gateId: gate.id, shard };
  }
  const only = flags.needs ? undefined : new Set(names.map((n) => nodeId.gate(n)));
  return { ...(only ? { only } : {}), ...(sharded ? { sharded } : {}), diagnostics };
}

/** The top-level gates of a compiled graph and the edges between them: what `check` (and the MCP server's `check_gate`) chooses from. */
export function topLevelGates(graph: Graph): Graph {
  return {
    nodes: graph.nodes.filter((n) => n.kind === 'gate' && n.phase === null),
    edges: graph.edges.filter((e) => e.from.startsWith('gate:') && e.to.startsWith('gate:') && !e.from.includes('/') && !e.to.includes('/')),
    scopeDecisions: [],
    phases: [],
  };
}
