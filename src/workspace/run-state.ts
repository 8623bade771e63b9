import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/write-atomic.js';
import type { Workspace } from './layout.js';
import { RUN_ID, runIds } from './run-ids.js';

/** What `.orchestra/runs/<run-id>/state.json` holds, rewritten atomically as the run goes. */
export interface RunState {
  readonly runId: string;
  /** The commit the run started from. */
  readonly base: string;
  readonly integrationBranch: string;
  readonly ok: boolean;
  readonly finished: boolean;
  /** Phases whose checkpoint is committed and tagged, with the checkpoint commit. */
  readonly checkpoints: Readonly<Record<string, string>>;
}

/** A state file that cannot be believed: its path and what is wrong, for a person to act on. */
export interface StateProblem {
  /** missing: the run has no state file (a `check` run, or an unknown id); invalid: it cannot be believed. */
  readonly kind: 'missing' | 'invalid';
  readonly file: string;
  readonly message: string;
}

export type StateRead = { readonly ok: true; readonly state: RunState } | { readonly ok: false; readonly problem: StateProblem };

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Checks a parsed state file field by field. Anything under `.orchestra/` may
 * have been written by someone else (a crash, an agent, a hand edit), so
 * nothing is cast: a wrong field is a problem that names it. Pure.
 */
export function validateRunState(value: unknown, expectedId: string): RunState | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object';
  const v = value as Record<string, unknown>;
  if (v['runId'] !== expectedId) return `'runId' is ${JSON.stringify(v['runId'])}, expected "${expectedId}" (the folder's name)`;
  if (typeof v['base'] !== 'string' || !SHA.test(v['base'])) return "'base' must be a commit id (40 hex digits)";
  if (v['integrationBranch'] !== `orchestra/${expectedId}`) return `'integrationBranch' must be "orchestra/${expectedId}"`;
  for (const key of ['ok', 'finished'] as const) if (typeof v[key] !== 'boolean') return `'${key}' must be true or false`;
  const cps = v['checkpoints'];
  if (typeof cps !== 'object' || cps === null || Array.isArray(cps)) return "'checkpoints' must be an object of phase: commit";
  const checkpoints: Record<string, string> = {};
  for (const [phase, sha] of Object.entries(cps as Record<string, unknown>)) {
    if (!RUN_ID.test(phase)) return `'checkpoints' names a phase '${phase}' that is not a valid id`;
    if (typeof sha !== 'string' || !SHA.test(sha)) return `'checkpoints.${phase}' must be a commit id (40 hex digits)`;
    checkpoints[phase] = sha;
  }
  return {
    runId: expectedId,
    base: v['base'],
    integrationBranch: v['integrationBranch'],
    ok: v['ok'] as boolean,
    finished: v['finished'] as boolean,
    checkpoints,
  };
}

/** Reads (validated) and writes (atomically) the state of runs. */
export class RunStateStore {
  constructor(private readonly ws: Workspace) {}

  /** A run's state: missing, unreadable, truncated or malformed files are problems, never exceptions. */
  read(runId: string): StateRead {
    if (!RUN_ID.test(runId))
      return {
        ok: false,
        problem: { kind: 'invalid', file: path.join(this.ws.runsDir, '?'), message: `'${runId}' is not a run id (letters, digits, and . _ - after the first)` },
      };
    const file = this.ws.run(runId).state;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT'
        ? { ok: false, problem: { kind: 'missing', file, message: `run '${runId}' has no state file` } }
        : { ok: false, problem: { kind: 'invalid', file, message: `cannot be read (${code ?? String(e)})` } };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, problem: { kind: 'invalid', file, message: text.trim() === '' ? 'is empty' : 'is not valid JSON (truncated or edited?)' } };
    }
    const state = validateRunState(parsed, runId);
    return typeof state === 'string' ? { ok: false, problem: { kind: 'invalid', file, message: state } } : { ok: true, state };
  }

  /** Every run that has a state file, oldest first, with the problems of those that cannot be believed. */
  list(): { states: RunState[]; problems: StateProblem[] } {
    const states: RunState[] = [];
    const problems: StateProblem[] = [];
    for (const id of runIds(this.ws)) {
      const r = this.read(id);
      if (r.ok) states.push(r.state);
      // A check run has no state file: it is not a problem, just not a run of agents.
      else if (r.problem.kind === 'invalid') problems.push(r.problem);
    }
    return { states, problems };
  }

  write(state: RunState): void {
    const file = this.ws.run(state.runId).state;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
  }
}
