import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../rules/types.js';

export interface GateFailure {
  readonly gate: string;
  readonly command: string;
  readonly exitCode: number | null;
  readonly message: string;
  readonly findings: readonly Finding[];
  readonly tail: string;
  /** A diff that fixed the same failure before (from .orchestra/patterns.jsonl). */
  readonly earlierFix?: string;
}

const DEFAULT_TEMPLATE = fileURLToPath(new URL('../../presets/prompts/fix.md', import.meta.url));
const TAIL_LINES = 40;
const DIFF_CHARS = 12_000;

/** The template: the user's `.orchestra/prompts/fix.md` when there is one, else orchestra's. */
export function fixTemplate(own: string): string {
  return readFileSync(existsSync(own) ? own : DEFAULT_TEMPLATE, 'utf8');
}

/** Everything a fix agent needs about the failures, bounded (log tails and the diff are cut). Pure. */
export function fixPrompt(template: string, phase: string, round: number, attempts: number, failures: readonly GateFailure[], diff: string): string {
  const text = failures
    .map((f) => {
      const lines = [`## gate ${f.gate}: ${f.message}`, `command: ${f.command}`, `exit code: ${f.exitCode ?? 'none'}`];
      if (f.findings.length) lines.push('findings:', ...f.findings.slice(0, 100).map((x) => `- ${x.file}:${x.line}:${x.column}: ${x.message} (${x.rule})`));
      const tail = f.tail.trim().split('\n').slice(-TAIL_LINES).join('\n');
      if (tail) lines.push('output (last lines):', '```', tail, '```');
      if (f.earlierFix) lines.push('The same failure was fixed before by this change; it may apply again:', '```diff', f.earlierFix.trim(), '```');
      return lines.join('\n');
    })
    .join('\n\n');
  const cut = diff.length > DIFF_CHARS ? `${diff.slice(0, DIFF_CHARS)}\n… (diff cut at ${DIFF_CHARS} characters)` : diff;
  return template
    .replaceAll('{{phase}}', phase)
    .replaceAll('{{round}}', String(round))
    .replaceAll('{{attempts}}', String(attempts))
    .replaceAll('{{failures}}', text)
    .replaceAll('{{diff}}', cut || '(no changes yet)');
}

/**
 * A failure's identity across rounds: which gates failed, their exit codes and
 * findings without line numbers, so a round that changes nothing is seen as
 * "no progress".
 */
export function failureSignature(failures: readonly GateFailure[]): string {
  return failures
    .map(
      (f) =>
        `${f.gate}|${f.exitCode}|${f.findings
          .map((x) => `${x.rule}@${x.file}:${x.message}`)
          .sort()
          .join(';')}|${normalizeOutput(f.tail)}`,
    )
    .sort()
    .join('\n');
}

/** Output without what changes between identical failures: temp paths, numbers (lines, timings, pids). */
export function normalizeOutput(tail: string): string {
  return tail
    .trim()
    .split('\n')
    .slice(-10)
    .join('\n')
    .replace(/\/(?:tmp|var\/folders|private\/tmp)\/[^\s:'"]+/g, '<tmp>')
    .replace(/\d+(?:\.\d+)?/g, '#');
}

/** What a reviewer is asked. */
export function reviewPrompt(phase: string, diff: string): string {
  const cut = diff.length > DIFF_CHARS ? `${diff.slice(0, DIFF_CHARS)}\n… (diff cut at ${DIFF_CHARS} characters)` : diff;
  return [
    `Review the changes of phase '${phase}'. Do not change any file.`,
    'Answer on the last line with {"verdict": "approve"} or {"verdict": "changes", "comments": "what must change"}',
    '(or exit 0 to approve and non-zero to ask for changes, with your comments as output).',
    '',
    cut || '(no changes)',
    '',
  ].join('\n');
}

/** A reviewer's answer: the last JSON verdict in its output, else its exit code (comments from its output). Pure. */
export function parseVerdict(final: string, tail: string, exitCode: number): { approve: boolean; comments: string } {
  const lines = `${tail}\n${final}`.split('\n').reverse();
  for (const line of lines) {
    const m = /\{.*"verdict".*\}/.exec(line);
    if (!m) continue;
    try {
      const v = JSON.parse(m[0]) as { verdict?: unknown; comments?: unknown };
      if (v.verdict === 'approve') return { approve: true, comments: '' };
      if (v.verdict === 'changes') return { approve: false, comments: typeof v.comments === 'string' ? v.comments : 'changes requested' };
    } catch {
      // not JSON after all: keep looking
    }
  }
  return exitCode === 0 ? { approve: true, comments: '' } : { approve: false, comments: tail.trim().split('\n').slice(-20).join('\n') || 'changes requested' };
}
