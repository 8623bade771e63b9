import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OrchestraEvent } from '../exec/events.js';
import { fileSafe } from '../exec/state-dir.js';

/** Reading a run's record back: `.orchestra/runs/<id>/events.jsonl`, as the watch commands and the dashboard see it. */
export function readEvents(runDir: string): OrchestraEvent[] {
  const file = path.join(runDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return parseEventLines(readFileSync(file, 'utf8'));
}

export function parseEventLines(text: string): OrchestraEvent[] {
  return text.split('\n').flatMap((l) => {
    try {
      return l.trim() ? [JSON.parse(l) as OrchestraEvent] : [];
    } catch {
      return []; // a line being written right now
    }
  });
}

export type RunOutcome = 'running' | 'unfinished' | 'interrupted' | 'held' | 'failed';

export interface RunInfo {
  readonly id: string;
  readonly command: 'check' | 'run' | '?';
  readonly outcome: RunOutcome;
  readonly startedAt?: number;
  readonly durationMs?: number;
}

/** Run ids in `.orchestra/runs/`, oldest first (ids sort by time). */
export function runIds(stateDir: string): string[] {
  const dir = path.join(stateDir, 'runs');
  return existsSync(dir) ? readdirSync(dir).filter((d) => RUN_ID.test(d)).sort() : [];
}

/** What a run id may look like; anything else never reaches a path. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function runInfo(id: string, events: readonly OrchestraEvent[], runningId: string | undefined): RunInfo {
  const started = events.find((e) => e.type === 'run-started');
  const finished = [...events].reverse().find((e) => e.type === 'run-finished');
  const outcome: RunOutcome =
    id === runningId ? 'running' : !finished || finished.type !== 'run-finished' ? 'unfinished' : finished.interrupted ? 'interrupted' : finished.ok ? 'held' : 'failed';
  return {
    id,
    command: started?.type === 'run-started' ? started.command : '?',
    outcome,
    ...(started ? { startedAt: started.ts } : {}),
    ...(finished?.type === 'run-finished' && outcome !== 'running' ? { durationMs: finished.durationMs } : {}),
  };
}

/** The log file a node (or a fix round, `fix:x#2`) writes. */
export function logFileOf(runDir: string, nodeId: string): string {
  return path.join(runDir, 'logs', `${fileSafe(nodeId)}.log`);
}
