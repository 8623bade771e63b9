import type { RunResults } from './results.js';

/**
 * The run's accomplishment, for a run started from a request: what was asked,
 * what was built (tasks that passed, files from git), what each gate says,
 * and what is left. Only what the record shows. Pure.
 */
export function accomplishmentMarkdown(request: string, run: RunResults, files: readonly string[]): string[] {
  const tasks = run.results.filter((r) => r.kind === 'task');
  const built = tasks.filter((r) => r.status === 'passed');
  const gates = run.results.filter((r) => r.kind === 'gate');
  const left = run.results.filter((r) => r.kind !== 'checkpoint' && r.status !== 'passed');
  const reason = (r: { message?: string; skipReason?: string }): string => (r.message ? `: ${r.message}` : r.skipReason ? ` (${r.skipReason})` : '');
  return [
    '## Accomplishment',
    '',
    'Requested:',
    '',
    ...request
      .trim()
      .split('\n')
      .map((l) => `> ${l}`),
    '',
    `Built: ${built.length} of ${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'}${built.length ? ` (${built.map((r) => r.name).join(', ')})` : ''}; ${files.length} ${files.length === 1 ? 'file' : 'files'} changed${files.length ? `: ${files.slice(0, 20).join(', ')}${files.length > 20 ? ', …' : ''}` : ''}.`,
    '',
    'Gates:',
    '',
    ...(gates.length ? gates.map((g) => `- ${g.id.replace(/^gate:/, '')}: ${g.status}${reason(g)}`) : ['- none ran']),
    '',
    `Left: ${left.length ? '' : 'nothing.'}`,
    ...left.map((r) => `- ${r.kind} ${r.name}: ${r.status}${reason(r)}`),
    '',
  ];
}
