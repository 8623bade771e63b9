import type { OrchestraEvent } from '../events/events.js';
import { compareRuns, type RunComparison } from '../logger/compare-runs.js';
import { fixHistory, type GateHistory, type LearnedFix } from '../logger/fix-history.js';
import { transcriptOf, type TranscriptAttempt } from '../logger/transcript.js';

/**
 * What the page asks the server to work out from a run's record, so that the
 * page and `orchestra logs` show the same thing from the same code: a node's
 * transcript, the gates' fix history, two runs compared. Pure.
 */
export function transcriptView(events: readonly OrchestraEvent[], nodeId: string): { node: string; attempts: TranscriptAttempt[] } {
  return { node: nodeId, attempts: transcriptOf(events, nodeId) };
}

export function fixesView(events: readonly OrchestraEvent[], learned: readonly unknown[]): { gates: GateHistory[] } {
  return { gates: fixHistory(events, learned.filter(isLearnedFix)) };
}

export function compareView(a: readonly OrchestraEvent[], b: readonly OrchestraEvent[]): RunComparison {
  return compareRuns(a, b);
}

/** A line of patterns.jsonl is believed only as far as its shape: an agent could have reached that file in an unsandboxed run. */
function isLearnedFix(v: unknown): v is LearnedFix {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return ['gate', 'phase', 'runId', 'signature', 'diff'].every((k) => typeof p[k] === 'string');
}
