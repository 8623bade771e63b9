import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { OrchestraEvent, Subscriber } from '../events/events.js';

/**
 * The run's record: `.orchestra/runs/<run-id>/events.jsonl`, append-only,
 * each line a complete JSON object written (one write call) as it happens,
 * so a crash leaves every earlier line intact.
 */
export function eventLog(file: string): { subscriber: Subscriber; close(): void } {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  let open = true;
  return {
    subscriber(event: OrchestraEvent) {
      if (open) writeSync(fd, `${JSON.stringify(event)}\n`);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
