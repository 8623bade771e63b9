import type { OrchestraEvent } from '../events/events.js';
import { unreachable } from '../util/unreachable.js';

/**
 * What an agent's MCP server writes to the run, one JSON line per entry (see
 * mcp/notes.ts): a note, or the result of a `check_gate` call. The file is in
 * the agent's reach, so every line is the agent's word: it is parsed with
 * bounds, anything else is dropped, and nothing in it decides more than
 * whether the agent is sent back once to check (the phase's gates decide).
 */
export type ChannelEntry =
  | { readonly kind: 'note'; readonly note: 'progress' | 'blocker'; readonly text: string }
  | { readonly kind: 'gate-call'; readonly ok: boolean; readonly gates: ReadonlyArray<{ readonly name: string; readonly status: string }> };

/** A line longer than this is not one the server writes. */
export const MAX_LINE = 16 * 1024;
const MAX_TEXT = 4000;
const MAX_GATES = 100;
const MAX_NAME = 200;

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);
/** One line of text: a control character (a newline, an escape sequence) cannot forge a line in the terminal or the report. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();

/** Pure. */
export function parseChannelLine(line: string): ChannelEntry | undefined {
  if (line.length === 0 || line.length > MAX_LINE) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if ((o['kind'] === 'progress' || o['kind'] === 'blocker') && typeof o['text'] === 'string') {
    const text = clip(oneLine(o['text']), MAX_TEXT);
    return text ? { kind: 'note', note: o['kind'], text } : undefined;
  }
  if (o['kind'] === 'gate-call' && typeof o['ok'] === 'boolean' && Array.isArray(o['gates'])) {
    const gates = o['gates']
      .slice(0, MAX_GATES)
      .filter((g): g is { name: string; status: string } => typeof g?.name === 'string' && typeof g?.status === 'string')
      .map((g) => ({ name: clip(oneLine(g.name), MAX_NAME), status: clip(oneLine(g.status), 20) }));
    return { kind: 'gate-call', ok: o['ok'], gates };
  }
  return undefined;
}

/** The record's event for an entry: a note is a note of the node (said to be the agent's); a gate call is a `self-check`. Pure. */
export function channelEvent(nodeId: string, entry: ChannelEntry, ts: number): OrchestraEvent {
  switch (entry.kind) {
    case 'note':
      return { type: 'note', ts, nodeId, message: `${entry.note === 'blocker' ? 'blocker from the agent' : 'note from the agent'}: ${entry.text}` };
    case 'gate-call':
      return { type: 'self-check', ts, nodeId, ok: entry.ok, gates: entry.gates };
    default:
      return unreachable(entry);
  }
}
