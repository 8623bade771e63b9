import { appendFileSync } from 'node:fs';

export type NoteKind = 'progress' | 'blocker';

/** Where a note goes, from the environment the run gave the agent. */
export type NoteTarget =
  | { readonly kind: 'no-run' }
  | { readonly kind: 'unavailable'; readonly runId: string }
  | { readonly kind: 'file'; readonly file: string; readonly runId: string; readonly phase?: string; readonly task?: string };

/**
 * Outside a run there is no record to add to. Inside one, `.orchestra/` (and
 * so `events.jsonl`) is read-only in the agent's sandbox: a note goes to the
 * file the run names in `ORCHESTRA_NOTES_FILE`, which the run must make
 * writable in the sandbox and reads into its record; without it, notes are
 * not available. Pure.
 */
export function noteTarget(env: Readonly<Record<string, string | undefined>>): NoteTarget {
  const runId = env['ORCHESTRA_RUN_ID'];
  if (!runId) return { kind: 'no-run' };
  const file = env['ORCHESTRA_NOTES_FILE'];
  if (!file) return { kind: 'unavailable', runId };
  const phase = env['ORCHESTRA_PHASE'];
  const task = env['ORCHESTRA_TASK'];
  return { kind: 'file', file, runId, ...(phase ? { phase } : {}), ...(task ? { task } : {}) };
}

/** One JSON line per note: what the run turns into an event. */
export function appendNote(target: Extract<NoteTarget, { kind: 'file' }>, kind: NoteKind, text: string, now = new Date()): void {
  const { file, runId, phase, task } = target;
  appendFileSync(file, `${JSON.stringify({ ts: now.getTime(), runId, phase, task, kind, text })}\n`);
}

/** One line per check_gate call: passed when every gate it ran passed (or was cached); the run reads it as a `self-check`. */
export function appendGateCall(
  target: Extract<NoteTarget, { kind: 'file' }>,
  answers: ReadonlyArray<{ readonly name: string; readonly status: string }>,
  now = new Date(),
): void {
  const ok = answers.every((a) => a.status === 'passed' || a.status === 'cached');
  const gates = answers.map((a) => ({ name: a.name, status: a.status }));
  appendFileSync(target.file, `${JSON.stringify({ ts: now.getTime(), kind: 'gate-call', ok, gates })}\n`);
}
