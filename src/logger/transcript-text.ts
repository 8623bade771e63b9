import { formatDuration } from '../config/duration.js';
import { unreachable } from '../util/unreachable.js';
import type { Style } from './style.js';
import type { TranscriptAttempt, TranscriptEntry } from './transcript.js';

/**
 * A node's transcript for the terminal (`orchestra logs <node>`): one block per
 * agent attempt, as lines. `settled`: only what will not change any more (up
 * to the first tool call still waiting), so that `logs -f` can print lines as
 * they settle and never take one back. Pure.
 */
export function transcriptLines(attempts: readonly TranscriptAttempt[], style: Style, settled = false): string[] {
  const out: string[] = [];
  for (const [i, a] of attempts.entries()) {
    const block = attemptLines(a, style, settled);
    const pending = block.findIndex((l) => l === PENDING || l.startsWith(`${PENDING_MARK} `));
    if (i > 0) out.push('');
    if (settled && pending !== -1) return [...out, ...block.slice(0, pending)];
    out.push(...block);
  }
  return out;
}

const PENDING = '… still working';
const PENDING_MARK = '…';

/** `settled`: an unfinished attempt's last message is held back, since it becomes the final answer if the agent ends there. */
function attemptLines(a: TranscriptAttempt, style: Style, settled = false): string[] {
  const round = a.runAs.includes('#') ? ` ${a.runAs.slice(a.runAs.indexOf('#') + 1).replace(/^(\d+)$/, 'round $1')}` : '';
  const head = `${style.bold(`── ${a.agent ?? 'agent'}${round}, attempt ${a.attempt}`)}${a.model ? style.dim(` (${a.model})`) : ''}`;
  const out = [head];
  // The closing words are shown once, as the final answer.
  const lastSaid = a.entries.at(-1)?.kind === 'message';
  const shown = lastSaid && (a.final !== undefined || (settled && a.endedAt === undefined)) ? a.entries.slice(0, -1) : a.entries;
  for (const e of shown) out.push(...formatEntry(e, style));
  if (a.final !== undefined) out.push(`${style.bold('final answer:')} ${a.final}`);
  if (a.endedAt !== undefined) {
    const u = a.usage ?? {};
    const tokens = u.inputTokens !== undefined || u.outputTokens !== undefined ? ` · ${u.inputTokens ?? 0} in / ${u.outputTokens ?? 0} out tokens` : '';
    const cost = u.costUsd !== undefined ? ` · $${u.costUsd.toFixed(4)}` : '';
    const how = a.ok ? style.green('done') : style.red(`failed${a.failure ? ` (${a.failure})` : ''}`);
    out.push(`${how}${style.dim(` in ${formatDuration(a.endedAt - a.startedAt)}${tokens}${cost}`)}`);
  } else out.push(PENDING);
  return out;
}

function formatEntry(e: TranscriptEntry, style: Style): string[] {
  switch (e.kind) {
    case 'message':
      return e.text.split('\n').map((l, i) => (i === 0 ? `${style.dim('said')}  ${l}` : `      ${l}`));
    case 'warning':
      return [style.yellow(`warning  ${e.text}`)];
    case 'tool': {
      const mark = e.outcome === 'ok' ? style.green('✓') : e.outcome === 'error' ? style.red('✗') : PENDING_MARK;
      const took = e.durationMs !== undefined ? style.dim(` ${formatDuration(e.durationMs)}`) : '';
      const line = `${mark} ${e.name}${e.subject ? ` ${e.subject}` : ''}${took}`;
      const diff = (e.diff ?? []).map((l) => `    ${l.startsWith('+') ? style.green(l) : l.startsWith('-') ? style.red(l) : style.dim(l)}`);
      const said = e.output ? [`    ${style.dim(e.output.split('\n')[0] ?? '')}`] : [];
      return [line, ...diff, ...said];
    }
    default:
      return unreachable(e);
  }
}
