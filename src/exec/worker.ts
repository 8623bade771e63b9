import type { AdapterName } from '../config/types.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { checkDeclarative, lineStarts, position, type RuleSpec } from '../rules/declarative.js';
import { withDefaults } from '../rules/types.js';
import type { Finding } from '../rules/types.js';
import type { AgentEvent, AgentOutcome } from '../agents/types.js';
import { startCommand, type CommandResult, type CommandSpec, type RunningCommand } from './process-runner.js';

/**
 * The tinypool worker: the main thread only schedules, renders and records.
 * Commands are spawned from here; rules run here. Progress goes back over a
 * BroadcastChannel; the main thread asks a command to stop over the same channel.
 */
export type Job =
  | {
      readonly kind: 'command';
      readonly jobId: number;
      readonly spec: CommandSpec;
      /** An agent's output, read afterwards through its adapter's parser. */
      readonly parseAs?: AdapterName;
    }
  | {
      readonly kind: 'rule';
      /** A declared (regex) rule, or the id and options of a builtin one. */
      readonly rule: RuleSpec | { readonly builtin: string; readonly options: Readonly<Record<string, unknown>> };
      readonly severity: 'error' | 'warning';
      readonly root: string;
      readonly files: readonly string[];
    };

export type WorkerMessage =
  { readonly type: 'spawned'; readonly jobId: number; readonly pid: number } | { readonly type: 'line'; readonly jobId: number; readonly line: string };
export type ControlMessage = { readonly type: 'stop'; readonly jobId: number; readonly now: boolean };

/**
 * One channel for all jobs, named so that the main thread and every worker
 * share it; a message names its job. Cheaper than a MessageChannel per job,
 * which matters when hundreds of small gates run.
 */
export const CHANNEL = 'orchestra:jobs';
const running = new Map<number, RunningCommand>();
/** Stop requests that arrived before their job reached this worker. */
const stopped = new Set<number>();
const channel = new BroadcastChannel(CHANNEL);
channel.unref();
channel.onmessage = (event: unknown) => {
  const m = (event as { data: ControlMessage }).data;
  if (m.type !== 'stop') return;
  const job = running.get(m.jobId);
  if (job) job.stop(m.now);
  else stopped.add(m.jobId);
};

export interface AgentRun {
  readonly events: readonly AgentEvent[];
  readonly outcome: AgentOutcome;
}

export type CommandJobResult = CommandResult & { readonly agent?: AgentRun };

export interface RuleResult {
  readonly findings: readonly Finding[];
  readonly filesChecked: number;
}

const MAX_FILE_BYTES = 2 * 1024 * 1024;

type FileCheck = (file: string, text: string) => Finding[];

/** A rule about the file list itself (hygiene/files-exist) runs once over all the files, reading none. */
async function repoCheck(
  rule: Extract<Job, { kind: 'rule' }>['rule'],
  severity: 'error' | 'warning',
): Promise<((files: readonly string[]) => Finding[]) | undefined> {
  if (!('builtin' in rule)) return undefined;
  const { BUILTIN_RULES } = await import('../rules/registry.js');
  const builtin = BUILTIN_RULES.get(rule.builtin);
  if (!builtin?.checkFiles) return undefined;
  const options = withDefaults(builtin, rule.options);
  return (files) =>
    (builtin.checkFiles?.(files, options) ?? []).map((f) => ({
      rule: builtin.id,
      file: f.file,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      severity,
      message: f.message,
    }));
}

async function ruleCheck(rule: Extract<Job, { kind: 'rule' }>['rule'], severity: 'error' | 'warning'): Promise<FileCheck> {
  if (!('builtin' in rule)) return (file, text) => checkDeclarative(rule, file, text, severity);
  const { BUILTIN_RULES } = await import('../rules/registry.js');
  const builtin = BUILTIN_RULES.get(rule.builtin);
  if (!builtin) throw new Error(`no builtin rule ${rule.builtin}`);
  const options = withDefaults(builtin, rule.options);
  return (file, text) => {
    const raw = builtin.check(file, text, options);
    if (raw.length === 0) return [];
    const starts = lineStarts(text);
    return raw.map((f) => {
      const start = position(starts, f.start);
      const end = position(starts, Math.max(f.start, f.end));
      return {
        rule: builtin.id,
        file,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        severity,
        message: f.message,
        ...(f.fix ? { fix: f.fix } : {}),
      };
    });
  };
}

export default async function runJob(job: Job): Promise<CommandJobResult | RuleResult> {
  if (job.kind === 'rule') {
    const whole = await repoCheck(job.rule, job.severity);
    if (whole) return { findings: whole(job.files), filesChecked: job.files.length };
    const check = await ruleCheck(job.rule, job.severity);
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
      findings.push(...check(rel, text));
    }
    return { findings, filesChecked };
  }
  const { jobId } = job;
  const command = startCommand(job.spec, {
    onSpawn: (pid) => channel.postMessage({ type: 'spawned', jobId, pid } satisfies WorkerMessage),
    onLine: (line) => channel.postMessage({ type: 'line', jobId, line } satisfies WorkerMessage),
  });
  running.set(jobId, command);
  if (stopped.delete(jobId)) command.stop();
  try {
    const result = await command.done;
    if (!job.parseAs) return result;
    return { ...result, agent: await parseAgentLog(job.parseAs, job.spec.logFile, result) };
  } finally {
    running.delete(jobId);
  }
}

const EVENTS_KEPT = 500;

/** Streams an agent's log through its adapter's parser: bounded memory, whatever it printed. */
async function parseAgentLog(name: AdapterName, logFile: string, result: CommandResult): Promise<AgentRun> {
  const { ADAPTERS } = await import('../agents/adapters/index.js');
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const parser = ADAPTERS[name].parser();
  const events: AgentEvent[] = [];
  for await (const line of createInterface({ input: createReadStream(logFile), crlfDelay: Infinity })) {
    for (const e of parser.line(line)) {
      events.push(e);
      if (events.length > EVENTS_KEPT) events.shift();
    }
  }
  return { events, outcome: parser.finish(result.exitCode, result.tail) };
}
