import { existsSync, readFileSync } from 'node:fs';
import type { OrchestraEvent } from '../events/events.js';

/** Reading a run's record back (its events file), as the watch commands and the dashboard see it. */
export function readEvents(file: string): OrchestraEvent[] {
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

export function runInfo(id: string, events: readonly OrchestraEvent[], runningId: string | undefined): RunInfo {
  const started = events.find((e) => e.type === 'run-started');
  const finished = [...events].reverse().find((e) => e.type === 'run-finished');
  const outcome: RunOutcome =
    id === runningId
      ? 'running'
      : !finished || finished.type !== 'run-finished'
        ? 'unfinished'
        : finished.interrupted
          ? 'interrupted'
          : finished.ok
            ? 'held'
            : 'failed';
  return {
    id,
    command: started?.type === 'run-started' ? started.command : '?',
    outcome,
    ...(started ? { startedAt: started.ts } : {}),
    ...(finished?.type === 'run-finished' && outcome !== 'running' ? { durationMs: finished.durationMs } : {}),
  };
}
