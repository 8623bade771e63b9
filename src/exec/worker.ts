import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { checkDeclarative, type RuleSpec } from '../rules/declarative.js';
import type { Finding } from './events.js';
import { startCommand, type CommandResult, type CommandSpec } from './process-runner.js';

/**
 * The tinypool worker: the main thread only schedules, renders and records.
 * Commands are spawned from here; rules run here. Progress goes back over a
 * MessagePort; the main thread asks a command to stop over the same port.
 */
export type Job =
  | { readonly kind: 'command'; readonly spec: CommandSpec; readonly port: MessagePort }
  | { readonly kind: 'rule'; readonly rule: RuleSpec; readonly severity: 'error' | 'warning'; readonly root: string; readonly files: readonly string[] };

export type WorkerMessage = { readonly type: 'spawned'; readonly pid: number } | { readonly type: 'line'; readonly line: string };
export type ControlMessage = { readonly type: 'stop'; readonly now: boolean };

export interface RuleResult {
  readonly findings: readonly Finding[];
  readonly filesChecked: number;
}

const MAX_FILE_BYTES = 2 * 1024 * 1024;

export default async function runJob(job: Job): Promise<CommandResult | RuleResult> {
  if (job.kind === 'rule') {
    const findings: Finding[] = [];
    let filesChecked = 0;
    for (const rel of job.files) {
      let text: string;
      try {
        const buf = readFileSync(path.join(job.root, rel));
        // Binary and very large files are not source a regular expression should read.
        if (buf.length > MAX_FILE_BYTES || buf.subarray(0, 8000).includes(0)) continue;
        text = buf.toString('utf8');
      } catch {
        continue; // deleted since it was listed
      }
      filesChecked++;
      findings.push(...checkDeclarative(job.rule, rel, text, job.severity));
    }
    return { findings, filesChecked };
  }
  const { port } = job;
  const running = startCommand(job.spec, {
    onSpawn: (pid) => port.postMessage({ type: 'spawned', pid } satisfies WorkerMessage),
    onLine: (line) => port.postMessage({ type: 'line', line } satisfies WorkerMessage),
  });
  port.on('message', (m: ControlMessage) => {
    if (m.type === 'stop') running.stop(m.now);
  });
  try {
    return await running.done;
  } finally {
    port.close();
  }
}
