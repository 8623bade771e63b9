import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { failureSignature, type GateFailure } from './fix-prompt.js';

/**
 * Learned fixes: when a fix round turns a failing gate green, the failure's
 * signature (normalised: no line numbers, temp paths or timings) is recorded
 * with the fix's diff in `.orchestra/patterns.jsonl`; the next time the same
 * signature fails, the fix prompt shows that earlier fix.
 */
export interface Pattern {
  readonly signature: string;
  readonly gate: string;
  readonly phase: string;
  readonly runId: string;
  readonly at: string;
  readonly diff: string;
}

const DIFF_CHARS = 8000;

/** `file`: the workspace's patterns file. */
export function readPatterns(file: string): Pattern[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line) as Pattern] : [];
      } catch {
        return []; // a torn last line after a crash: skip it
      }
    });
}

export function recordPattern(file: string, failure: GateFailure, phase: string, runId: string, diff: string): void {
  const pattern: Pattern = {
    signature: failureSignature([failure]),
    gate: failure.gate,
    phase,
    runId,
    at: new Date().toISOString(),
    diff: diff.length > DIFF_CHARS ? `${diff.slice(0, DIFF_CHARS)}\n…` : diff,
  };
  appendFileSync(file, `${JSON.stringify(pattern)}\n`);
}

/** The most recent earlier fix of the same failure, if any. */
export function earlierFix(patterns: readonly Pattern[], failure: GateFailure): Pattern | undefined {
  const signature = failureSignature([failure]);
  return [...patterns].reverse().find((p) => p.signature === signature);
}
