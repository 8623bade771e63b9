import path from 'node:path';
import type { FailReason, NodeInfo, NodeStatus, OrchestraEvent } from '../events/events.js';
import type { Finding } from '../rules/types.js';
import { Workspace } from '../workspace/layout.js';

/** What every reporter reads: one entry per node, built from the events alone. */
export interface NodeResult {
  readonly id: string;
  readonly name: string;
  readonly kind: NodeInfo['kind'];
  status: NodeStatus;
  durationMs: number;
  exitCode: number | null;
  attempts: number;
  reason?: FailReason;
  message?: string;
  skipReason?: string;
  logFile?: string;
  tail?: string;
  readonly findings: Finding[];
  /** A fix node's rounds and reviews (`fix:p#1`, `fix:p#review0`): each agent run, in order. */
  readonly rounds: AgentRound[];
}

/** One agent run inside a node, as its `agent-finished` event tells it. */
export interface AgentRound {
  /** The sub-node id: `fix:p#2`, `fix:p#review0`. */
  readonly id: string;
  readonly kind: 'fix-round' | 'review';
  /** 1-based for fix rounds; 0-based for reviews (review 0 is the one before any fix). */
  readonly round: number;
  readonly agent: string;
  readonly ok: boolean;
  readonly failure?: string;
  readonly durationMs: number;
}

export interface RunResults {
  runId: string;
  command: 'check' | 'run';
  root: string;
  ok: boolean;
  interrupted: boolean;
  durationMs: number;
  startedAt: number;
  readonly results: NodeResult[];
}

export class ResultCollector {
  readonly run: RunResults = { runId: '', command: 'check', root: '', ok: false, interrupted: false, durationMs: 0, startedAt: 0, results: [] };
  readonly #byId = new Map<string, NodeResult>();
  /** When each sub-node's latest attempt started. */
  readonly #subStarted = new Map<string, number>();

  readonly subscriber = (e: OrchestraEvent): void => {
    switch (e.type) {
      case 'run-started':
        Object.assign(this.run, { runId: e.runId, command: e.command, root: e.root, startedAt: e.ts });
        for (const n of e.nodes) {
          const r: NodeResult = {
            id: n.id,
            name: n.name,
            kind: n.kind,
            status: 'skipped',
            durationMs: 0,
            exitCode: null,
            attempts: 0,
            findings: [],
            rounds: [],
          };
          this.#byId.set(n.id, r);
          this.run.results.push(r);
        }
        return;
      case 'node-finished': {
        const r = this.#byId.get(e.nodeId);
        if (!r) return;
        Object.assign(r, { status: e.status, durationMs: e.durationMs, exitCode: e.exitCode, attempts: e.attempts });
        if (e.reason) r.reason = e.reason;
        if (e.message) r.message = e.message;
        if (e.logFile) r.logFile = e.logFile;
        if (e.tail !== undefined) r.tail = e.tail;
        return;
      }
      case 'node-skipped': {
        const r = this.#byId.get(e.nodeId);
        if (r) Object.assign(r, { status: 'skipped', skipReason: e.reason });
        return;
      }
      case 'node-started': {
        if (e.nodeId.includes('#')) this.#subStarted.set(e.nodeId, e.ts);
        // A node run again (a retry, a gate after a fix round) is judged by its last run: the failing run's
        // findings and message ("2 findings") were fixed or will be found again, and must not sit beside "passed".
        const r = this.#byId.get(e.nodeId);
        if (r) {
          r.findings.length = 0;
          delete r.message;
          delete r.reason;
          delete r.tail;
        }
        return;
      }
      case 'agent-finished': {
        const round = subNode(e.nodeId);
        if (!round) return;
        this.#byId.get(round.parent)?.rounds.push({
          id: e.nodeId,
          kind: round.kind,
          round: round.round,
          agent: e.agent,
          ok: e.ok,
          ...(e.failure ? { failure: e.failure.reason } : {}),
          durationMs: e.ts - (this.#subStarted.get(e.nodeId) ?? e.ts),
        });
        return;
      }
      case 'finding':
        this.#byId.get(e.nodeId)?.findings.push(e.finding);
        return;
      case 'run-finished':
        Object.assign(this.run, { ok: e.ok, interrupted: e.interrupted, durationMs: e.durationMs });
        return;
      default:
        return;
    }
  };
}

/** A log path as a person at the repo root would type it. */
export function relativeLog(run: RunResults, file: string | undefined): string | undefined {
  return file === undefined ? undefined : path.relative(run.root, file).split(path.sep).join('/');
}

/** `fix:p#2` → round 2 of fix:p; `fix:p#review0` → review 0; undefined for a plain node id. Pure. */
export function subNode(id: string): { parent: string; kind: AgentRound['kind']; round: number } | undefined {
  const m = /^(.+)#(review)?(\d+)$/.exec(id);
  if (!m) return undefined;
  return { parent: m[1] as string, kind: m[2] ? 'review' : 'fix-round', round: Number(m[3]) };
}

/** Where a run's record (its events.jsonl, which keeps an internal error's stack) is, as a person at the repo root would type it. */
export function recordPath(root: string, runId: string): string {
  return path.relative(root, Workspace.of(root).run(runId).events).split(path.sep).join('/');
}

/**
 * The exit code a run's results call for (DESIGN.md's contract): 130 when it
 * was interrupted; 70 when a node failed because orchestra itself threw (a
 * bug, reason 'internal'); 1 when anything else failed or did not run; 0 when
 * all held.
 */
export function exitCodeOf(run: RunResults): 0 | 1 | 70 | 130 {
  if (run.interrupted) return 130;
  if (run.results.some((r) => r.status === 'failed' && r.reason === 'internal')) return 70;
  if (!run.ok) return 1;
  return 0;
}
