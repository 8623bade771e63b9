import type { AdapterName } from '../config/types.js';
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { checkDeclarative, lineStarts, position, type RuleSpec } from '../rules/declarative.js';
import { withDefaults } from '../rules/types.js';
import type { Finding } from '../rules/types.js';
import { jsonLine, type AgentEvent, type AgentOutcome, type OutputParser } from '../agents/types.js';
import { LogLines } from './log-lines.js';
import { bytePatterns, mayMatch, type BytePatterns } from '../rules/prefilter.js';
import { startCommand, type CommandResult, type CommandSpec, type RunningCommand } from './process-runner.js';
import { CHANNEL } from './job-channel.js';

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
  | { readonly type: 'spawned'; readonly jobId: number; readonly pid: number }
  | { readonly type: 'line'; readonly jobId: number; readonly line: string }
  /** What an agent did, parsed from its output as it was written; `seq` counts from 1 per job. */
  | { readonly type: 'agent-event'; readonly jobId: number; readonly seq: number; readonly event: AgentEvent };
export type ControlMessage = { readonly type: 'stop'; readonly jobId: number; readonly now: boolean };

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
  readonly outcome: AgentOutcome;
  /** How many agent events were posted while it ran: the main thread waits for all of them before it believes the result. */
  readonly eventsPosted: number;
}

export type CommandJobResult = CommandResult & { readonly agent?: AgentRun };

export interface RuleResult {
  readonly findings: readonly Finding[];
  readonly filesChecked: number;
}

const MAX_FILE_BYTES = 2 * 1024 * 1024;

type FileCheck = (file: string, text: string) => Finding[];

/** One read buffer per worker, reused for every file: no allocation and no fstat per file. */
const readBuffer = Buffer.allocUnsafe(MAX_FILE_BYTES + 1);

/** The file's bytes (a view of the shared buffer, valid until the next read), or undefined when it is gone or too large to be source. */
function readSource(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined; // deleted since it was listed
  }
  try {
    let length = 0;
    for (;;) {
      const n = readSync(fd, readBuffer, length, readBuffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_FILE_BYTES) return undefined;
    }
    return readBuffer.subarray(0, length);
  } catch {
    return undefined; // a folder, or unreadable
  } finally {
    closeSync(fd);
  }
}

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

async function ruleCheck(
  rule: Extract<Job, { kind: 'rule' }>['rule'],
  severity: 'error' | 'warning',
): Promise<{ check: FileCheck; patterns: BytePatterns | undefined }> {
  if (!('builtin' in rule)) return { check: (file, text) => checkDeclarative(rule, file, text, severity), patterns: undefined };
  const { BUILTIN_RULES } = await import('../rules/registry.js');
  const builtin = BUILTIN_RULES.get(rule.builtin);
  if (!builtin) throw new Error(`no builtin rule ${rule.builtin}`);
  const options = withDefaults(builtin, rule.options);
  const patterns = bytePatterns(builtin.needles?.(options), builtin.needlesAsTargets === true);
  const check: FileCheck = (file, text) => {
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
  return { check, patterns };
}

export default async function runJob(job: Job): Promise<CommandJobResult | RuleResult> {
  if (job.kind === 'rule') {
    const whole = await repoCheck(job.rule, job.severity);
    if (whole) return { findings: whole(job.files), filesChecked: job.files.length };
    const { check, patterns } = await ruleCheck(job.rule, job.severity);
    const findings: Finding[] = [];
    let filesChecked = 0;
    // The files are git's paths (relative, normalized, '/'-separated): joined by hand, as path.join's
    // normalizing cost a few per cent of a rule's time over 20,000 files.
    const base = job.root.endsWith(path.sep) ? job.root : `${job.root}${path.sep}`;
    for (const rel of job.files) {
      const buf = readSource(`${base}${rel}`);
      // Binary and very large files are not source a regular expression should read.
      if (buf === undefined || buf.subarray(0, 8000).includes(0)) continue;
      filesChecked++;
      if (!mayMatch(buf, patterns)) continue;
      findings.push(...check(rel, buf.toString('utf8')));
    }
    return { findings, filesChecked };
  }
  const { jobId } = job;
  const live = job.parseAs ? await liveParser(job.parseAs, job.spec.logFile, jobId) : undefined;
  const command = startCommand(job.spec, {
    onSpawn: (pid) => channel.postMessage({ type: 'spawned', jobId, pid } satisfies WorkerMessage),
    onLine: (line) => channel.postMessage({ type: 'line', jobId, line } satisfies WorkerMessage),
  });
  running.set(jobId, command);
  if (stopped.delete(jobId)) command.stop();
  const poll = live ? setInterval(() => live.read(false), LIVE_EVERY_MS) : undefined;
  try {
    const result = await command.done;
    if (!live) return result;
    clearInterval(poll);
    live.read(true);
    return { ...result, agent: { outcome: live.parser.finish(result.exitCode, whatItSaid(result)), eventsPosted: live.posted() } };
  } finally {
    clearInterval(poll);
    running.delete(jobId);
  }
}

/**
 * What an adapter's `finish` reads as the CLI's own words: its output
 * without the JSON event lines (stdout and stderr share one log, and the
 * stream's last half line, or a model's words inside it, say nothing about
 * how the process ended), then how it ended when a signal killed it.
 */
function whatItSaid(result: Pick<CommandResult, 'tail' | 'signal'>): string {
  const lines = result.tail.split(/\r?\n/).filter((l) => l.trim() !== '' && !isStreamLine(l));
  if (result.signal) lines.push(`killed by ${result.signal}`);
  return lines.join('\n');
}

/** A line of the CLI's JSON event stream (an object with a `type`), or the half of one cut off: not words about how it ended. A JSON error object (Gemini's on stderr) is kept. */
function isStreamLine(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{')) return false;
  const v = jsonLine(t);
  return v === undefined || typeof v['type'] === 'string';
}

/** How often a running agent's log is read for new lines to parse. */
const LIVE_EVERY_MS = 100;

/**
 * An agent's output parsed as it is written: each complete line goes through
 * its adapter's parser and each event is posted at once, so the record, `logs
 * --events`, `status` and the dashboard see the agent work while it works.
 * Memory stays bounded: lines are not kept once parsed.
 */
async function liveParser(name: AdapterName, logFile: string, jobId: number): Promise<{ parser: OutputParser; read(final: boolean): void; posted(): number }> {
  const { ADAPTERS } = await import('../agents/adapters/index.js');
  const parser = ADAPTERS[name].parser();
  const lines = new LogLines(logFile);
  let seq = 0;
  return {
    parser,
    read(final) {
      for (const line of lines.read(final))
        for (const event of parser.line(line)) channel.postMessage({ type: 'agent-event', jobId, seq: ++seq, event } satisfies WorkerMessage);
    },
    posted: () => seq,
  };
}
