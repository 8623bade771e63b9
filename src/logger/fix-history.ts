import type { OrchestraEvent } from '../events/events.js';
import type { Finding } from '../rules/types.js';
import { transcriptOf } from './transcript.js';

/** One run of a gate: in which round (0: before any fix), how it ended, what it found, what it no longer found. */
export interface GateRun {
  readonly round: number;
  readonly status: string;
  readonly findings: readonly Finding[];
  /** What the run before found and this one did not: what the fix round before it made go. */
  readonly gone: readonly Finding[];
}

/** A fix round between two runs of the gate: who, and the edits it made (from its tool calls). */
export interface FixRound {
  readonly round: number;
  readonly runAs: string;
  readonly agent?: string;
  readonly ok?: boolean;
  readonly edits: ReadonlyArray<{ readonly tool: string; readonly subject?: string; readonly diff?: readonly string[] }>;
}

export interface GateHistory {
  readonly gate: string;
  readonly phase: string;
  readonly runs: readonly GateRun[];
  readonly rounds: readonly FixRound[];
  /** The fix orchestra learned from this gate in this run (its diff, from git), when a round made it pass. */
  readonly learned?: { readonly signature: string; readonly diff: string };
}

/** What `.orchestra/patterns.jsonl` holds, as far as this needs it (read by the caller, validated loosely). */
export interface LearnedFix {
  readonly gate: string;
  readonly phase: string;
  readonly runId: string;
  readonly signature: string;
  readonly diff: string;
}

/** Findings are the same across runs when rule, file and message are: a fix moves lines. */
const key = (f: Finding): string => `${f.rule}\u0000${f.file}\u0000${f.message}`;

/**
 * For each phase gate that ever failed in the run: its runs round by round,
 * what each fix round changed and which findings went, and the learned fix.
 * Pure: from the record (and the learned fixes, read by the caller).
 */
export function fixHistory(events: readonly OrchestraEvent[], learned: readonly LearnedFix[] = []): GateHistory[] {
  const start = events.find((e) => e.type === 'run-started');
  if (start?.type !== 'run-started') return [];
  const gates = start.nodes.filter((n) => n.kind === 'gate' && n.phase !== null);
  /** Fix rounds started so far, per phase. */
  const roundsIn = new Map<string, number>();
  const runs = new Map<string, Array<{ round: number; status: string; findings: Finding[] }>>();
  const phaseOf = new Map(gates.map((g) => [g.id, g.phase as string]));
  for (const e of events) {
    if (e.type === 'node-started') {
      const m = /^fix:(.+)#(\d+)$/.exec(e.nodeId);
      if (m) roundsIn.set(m[1] as string, Number(m[2]));
      const phase = phaseOf.get(e.nodeId);
      if (phase !== undefined) runs.set(e.nodeId, [...(runs.get(e.nodeId) ?? []), { round: roundsIn.get(phase) ?? 0, status: 'running', findings: [] }]);
    } else if (e.type === 'finding') runs.get(e.nodeId)?.at(-1)?.findings.push(e.finding);
    else if (e.type === 'node-finished') {
      const last = runs.get(e.nodeId)?.at(-1);
      if (last) last.status = e.status;
    }
  }
  const out: GateHistory[] = [];
  for (const g of gates) {
    const own = runs.get(g.id) ?? [];
    if (!own.some((r) => r.status === 'failed' || r.findings.length > 0)) continue;
    const phase = g.phase as string;
    const withGone = own.map((r, i) => {
      const now = new Set(r.findings.map(key));
      const before = i > 0 ? (own[i - 1]?.findings ?? []) : [];
      return { ...r, gone: r.status === 'running' ? [] : before.filter((f) => !now.has(key(f))) };
    });
    const rounds = transcriptOf(events, `fix:${phase}`)
      .filter((a) => /#\d+$/.test(a.runAs))
      .map((a) => ({
        round: Number(a.runAs.split('#')[1]),
        runAs: a.runAs,
        ...(a.agent ? { agent: a.agent } : {}),
        ...(a.ok !== undefined ? { ok: a.ok } : {}),
        edits: a.entries.flatMap((x) =>
          x.kind === 'tool' && (x.diff || /edit|write|patch|replace|file_change/i.test(x.name))
            ? [{ tool: x.name, ...(x.subject ? { subject: x.subject } : {}), ...(x.diff ? { diff: x.diff } : {}) }]
            : [],
        ),
      }));
    const runId = start.runId;
    const fix = [...learned].reverse().find((p) => p.runId === runId && p.phase === phase && p.gate === g.name);
    out.push({ gate: g.id, phase, runs: withGone, rounds, ...(fix ? { learned: { signature: fix.signature, diff: fix.diff } } : {}) });
  }
  return out;
}
