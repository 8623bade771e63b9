import { Document, isMap, type YAMLMap } from 'yaml';
import type { PlanAnswer } from './answer.js';

/** A task that orchestra ordered after another of its wave because their scopes overlap. */
export interface Move {
  readonly phase: string;
  readonly task: string;
  readonly after: string;
  readonly patterns: readonly [string, string];
}

/**
 * The plan file (orchestra.plan.yaml) made of a valid answer: its `gates`
 * and `phases`, nothing else, as a config layer. The first phase needs
 * nothing unless the planner said so: a plan does not wait on the config's own
 * phases by the accident of being written after them. A task orchestra moved
 * to a later wave says so in a comment. Pure.
 */
export function planYaml(answer: PlanAnswer, header: readonly string[] = [], moves: readonly Move[] = []): string {
  const body: Record<string, unknown> = {};
  if (answer.gates && Object.keys(answer.gates).length) body['gates'] = answer.gates;
  body['phases'] = answer.phases.map((p, i) => ({
    id: p.id,
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...(p.needs !== undefined ? { needs: p.needs } : i === 0 ? { needs: [] } : {}),
    tasks: p.tasks.map((t) => ({
      id: t.id,
      agent: t.agent,
      prompt: t.prompt,
      scope: {
        touch: t.scope.touch,
        ...(t.scope.forbid?.length ? { forbid: t.scope.forbid } : {}),
        ...(t.scope.shared?.length ? { shared: t.scope.shared } : {}),
      },
    })),
    ...(p.gates?.length ? { gates: p.gates } : {}),
    ...(p.fix ? { fix: p.fix } : {}),
  }));
  const doc = new Document(body);
  if (header.length) doc.commentBefore = header.map((l) => ` ${l}`).join('\n');
  answer.phases.forEach((p, i) => {
    p.tasks.forEach((t, j) => {
      const said = moves.filter((m) => m.phase === p.id && m.task === t.id);
      if (said.length === 0) return;
      const node = doc.getIn(['phases', i, 'tasks', j], true);
      if (isMap(node))
        (node as YAMLMap).commentBefore = said
          .map((m) => ` orchestra: runs after '${m.after}', in a later wave: ${m.patterns[0]} overlaps ${m.patterns[1]}`)
          .join('\n');
    });
  });
  return doc.toString({ lineWidth: 0 });
}
