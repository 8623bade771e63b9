import { commandText, type Graph, type GraphNode } from './types.js';
import { unreachable } from '../util/unreachable.js';

/** The JSON contract: `{"nodes":[{"id","kind","name","phase","run","agent"}],"edges":[{"from","to"}]}`. */
export function graphToJson(graph: Graph): object {
  return {
    nodes: graph.nodes.map((n) => ({
      id: n.id,
      kind: n.kind,
      name: n.name,
      phase: n.phase,
      run: n.kind === 'gate' && n.gate.run ? commandText(n.gate.run) : null,
      agent: n.kind === 'task' ? n.task.agent.id : n.kind === 'fix' ? n.agent : null,
      ...(n.kind === 'gate' && n.gate.rule ? { rule: n.gate.rule.id } : {}),
    })),
    edges: graph.edges.map((e) => ({ from: e.from, to: e.to })),
  };
}

export function nodeLabel(n: GraphNode): string {
  switch (n.kind) {
    case 'task':
      return `${n.name} (${n.task.agent.id})`;
    case 'gate':
      return n.gate.rule ? `${n.name} [rule]` : n.name;
    case 'fix':
      return `fix (${n.agent}, ${n.attempts}x)`;
    case 'checkpoint':
      return `checkpoint ${n.name}`;
    default:
      return unreachable(n);
  }
}

/** Groups nodes by phase (null: top-level gates) in first-seen order. */
function byPhase(graph: Graph): Map<string | null, GraphNode[]> {
  const groups = new Map<string | null, GraphNode[]>();
  for (const n of graph.nodes) {
    const list = groups.get(n.phase);
    if (list) list.push(n);
    else groups.set(n.phase, [n]);
  }
  return groups;
}

const mermaidShape = (n: GraphNode, id: string, label: string): string => {
  const text = label.replace(/"/g, '#quot;');
  switch (n.kind) {
    case 'task':
      return `${id}["${text}"]`;
    case 'gate':
      return `${id}{{"${text}"}}`;
    case 'fix':
      return `${id}(["${text}"])`;
    case 'checkpoint':
      return `${id}[("${text}")]`;
    default:
      return unreachable(n);
  }
};

export function graphToMermaid(graph: Graph): string {
  const short = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ['flowchart TD'];
  let group = 0;
  for (const [phase, nodes] of byPhase(graph)) {
    const indent = phase === null ? '  ' : '    ';
    if (phase !== null) lines.push(`  subgraph p${group++}["phase ${phase.replace(/"/g, '#quot;')}"]`);
    for (const n of nodes) lines.push(`${indent}${mermaidShape(n, short.get(n.id) as string, nodeLabel(n))}`);
    if (phase !== null) lines.push('  end');
  }
  for (const e of graph.edges) lines.push(`  ${short.get(e.from)} --> ${short.get(e.to)}`);
  return `${lines.join('\n')}\n`;
}

const dotQuote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function graphToDot(graph: Graph): string {
  const shapes = { task: 'box', gate: 'hexagon', fix: 'ellipse', checkpoint: 'cylinder' } as const;
  const lines = ['digraph orchestra {', '  rankdir=TB;', '  node [fontname="Helvetica"];'];
  let cluster = 0;
  for (const [phase, nodes] of byPhase(graph)) {
    const indent = phase === null ? '  ' : '    ';
    if (phase !== null) lines.push(`  subgraph cluster_${cluster++} {`, `    label=${dotQuote(`phase ${phase}`)};`);
    for (const n of nodes) lines.push(`${indent}${dotQuote(n.id)} [label=${dotQuote(nodeLabel(n))}, shape=${shapes[n.kind]}];`);
    if (phase !== null) lines.push('  }');
  }
  for (const e of graph.edges) lines.push(`  ${dotQuote(e.from)} -> ${dotQuote(e.to)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
