import type { Usage } from '../agents/types.js';
import type { OrchestraEvent } from '../events/events.js';
import { subject } from './agent-activity.js';
import { editDiff } from './edit-diff.js';

/** One line of a transcript: what the agent said, or one tool call with how it ended. */
export type TranscriptEntry =
  | { readonly kind: 'message'; readonly ts: number; readonly text: string }
  | {
      readonly kind: 'tool';
      readonly ts: number;
      readonly name: string;
      /** The file or command it was about. */
      readonly subject?: string;
      readonly outcome: 'ok' | 'error' | 'pending';
      readonly durationMs?: number;
      /** The start of what the tool answered, for a failed call. */
      readonly output?: string;
      /** For a file edit: a small diff from the tool's input (`-`/`+` lines). */
      readonly diff?: readonly string[];
    }
  | { readonly kind: 'warning'; readonly ts: number; readonly text: string };

/** One start of an agent: a task's attempt, a fix round, a review. */
export interface TranscriptAttempt {
  /** The id it ran as: the node's, or a round's (`fix:p#1`). */
  readonly runAs: string;
  readonly attempt: number;
  readonly agent?: string;
  readonly model?: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly entries: readonly TranscriptEntry[];
  /** Its closing words: its last message, once it finished. */
  readonly final?: string;
  readonly ok?: boolean;
  readonly failure?: string;
  readonly usage?: Usage;
}

const OUTPUT_CHARS = 300;

interface Open {
  runAs: string;
  attempt: number;
  agent?: string;
  model?: string;
  startedAt: number;
  endedAt?: number;
  entries: TranscriptEntry[];
  /** The tool-use id of each entry (undefined for all but tool calls that had one). */
  ids: Array<string | undefined>;
  ok?: boolean;
  failure?: string;
  usage?: Usage;
}

/**
 * The agent attempts of a node (and of its rounds: `fix:p#1`, `fix:p#review1`),
 * in order, from the run's record: messages as text, each tool call as one
 * entry with its outcome and duration, edits as small diffs. Pure.
 */
export function transcriptOf(events: readonly OrchestraEvent[], nodeId: string): TranscriptAttempt[] {
  const done: Open[] = [];
  /** The attempt under way for each id it runs as. */
  const open = new Map<string, Open>();
  const mine = (id: string): boolean => id === nodeId || id.startsWith(`${nodeId}#`);
  const current = (id: string, ts: number): Open => {
    let a = open.get(id);
    if (!a) {
      // Agent events with no node-started before them (a record cut short): an attempt of their own.
      a = { runAs: id, attempt: 1, startedAt: ts, entries: [], ids: [] };
      open.set(id, a);
      done.push(a);
    }
    return a;
  };
  for (const e of events) {
    if (e.type === 'node-started' && mine(e.nodeId)) {
      const a: Open = { runAs: e.nodeId, attempt: e.attempt, startedAt: e.ts, entries: [], ids: [] };
      open.set(e.nodeId, a);
      done.push(a);
    } else if (e.type === 'agent-event' && mine(e.nodeId)) {
      const a = current(e.nodeId, e.ts);
      a.agent = e.agent;
      const ev = e.event;
      switch (ev.kind) {
        case 'session':
          if (ev.model) a.model = ev.model;
          break;
        case 'message':
          push(a, { kind: 'message', ts: e.ts, text: ev.text });
          break;
        case 'warning':
          push(a, { kind: 'warning', ts: e.ts, text: ev.message });
          break;
        case 'tool-use': {
          const about = subjectOf(ev.input);
          const diff = editDiff(ev.name, ev.input);
          push(
            a,
            { kind: 'tool', ts: e.ts, name: ev.name, outcome: 'pending', ...(about !== undefined ? { subject: about } : {}), ...(diff ? { diff } : {}) },
            ev.id,
          );
          break;
        }
        case 'tool-result':
          settle(a, ev.id, e.ts, ev.ok, ev.output);
          break;
        default: {
          const never: never = ev;
          void never; // an event kind from a newer adapter: nothing to show
        }
      }
    } else if (e.type === 'agent-finished' && mine(e.nodeId)) {
      const a = current(e.nodeId, e.ts);
      Object.assign(a, { agent: e.agent, ok: e.ok, usage: e.usage, endedAt: e.ts });
      if (e.failure) a.failure = `${e.failure.class}: ${e.failure.reason}`;
      open.delete(e.nodeId);
    }
  }
  return (
    done
      // An attempt is shown once its agent said anything (its session counts: a model thinking is at work) or ended.
      .filter((a) => a.agent !== undefined || a.endedAt !== undefined)
      .map(({ ids: _ids, ...a }) => {
        const last = [...a.entries].reverse().find((x) => x.kind === 'message');
        return { ...a, ...(a.endedAt !== undefined && last?.kind === 'message' ? { final: last.text } : {}) };
      })
  );
}

function push(a: Open, entry: TranscriptEntry, id?: string): void {
  a.entries.push(entry);
  a.ids.push(id);
}

/** A tool's answer: to its call by id, else to the oldest call still waiting. */
function settle(a: Open, id: string | undefined, ts: number, ok: boolean, output: string | undefined): void {
  const { entries } = a;
  const waiting = (k: number): boolean => entries[k]?.kind === 'tool' && (entries[k] as { outcome: string }).outcome === 'pending';
  let i = id === undefined ? -1 : a.ids.findIndex((x, k) => x === id && waiting(k));
  if (i === -1) i = entries.findIndex((_, k) => waiting(k) && (id === undefined || a.ids[k] === undefined));
  const call = entries[i];
  if (!call || call.kind !== 'tool') return;
  entries[i] = {
    ...call,
    outcome: ok ? 'ok' : 'error',
    durationMs: Math.max(0, ts - call.ts),
    ...(!ok && output ? { output: output.length > OUTPUT_CHARS ? `${output.slice(0, OUTPUT_CHARS - 1)}…` : output } : {}),
  };
}

/** The file or command of a call; Codex's file_change lists its files (`add app/x.py`). */
function subjectOf(input: unknown): string | undefined {
  if (Array.isArray(input)) {
    const files = input.flatMap((c) => {
      const o = c as Record<string, unknown> | null;
      return typeof o?.['path'] === 'string' ? [`${typeof o['kind'] === 'string' ? `${o['kind']} ` : ''}${o['path']}`] : [];
    });
    return files.length ? files.join(', ') : undefined;
  }
  return subject(input);
}
