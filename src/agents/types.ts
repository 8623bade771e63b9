import type { AdapterName } from '../config/types.js';

/**
 * What an adapter makes of an agent CLI: the command line to start it, and a
 * parser that turns its output, line by line, into normalized events and,
 * at the end, an outcome with a failure class. Pure: no process handling.
 */
export type AgentEvent =
  | { readonly kind: 'session'; readonly id: string; readonly model?: string }
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'tool-use'; readonly id?: string; readonly name: string; readonly input?: unknown }
  | { readonly kind: 'tool-result'; readonly id?: string; readonly ok: boolean; readonly output?: string }
  | { readonly kind: 'warning'; readonly message: string };

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  /** Only where the CLI reports it (Claude Code, Aider); Codex and Gemini do not. */
  costUsd?: number;
}

/**
 * transient: try again after a backoff (network, rate limit, an edit the model
 * fumbled); environment: restart once with a corrected command line;
 * final: retrying will not help (auth, quota, turn limit).
 */
export type FailureClass = 'transient' | 'environment' | 'final';

export interface AgentOutcome {
  readonly ok: boolean;
  /** The agent's closing words, when it said any. */
  readonly final?: string;
  readonly failure?: { readonly class: FailureClass; readonly reason: string };
  readonly usage: Usage;
  readonly sessionId?: string;
}

export interface OutputParser {
  /** One line of stdout; returns what it says. Unknown lines and fields are ignored. */
  line(text: string): AgentEvent[];
  /** After exit: the outcome, judged from everything seen, the exit code and stderr. */
  finish(exitCode: number | null, stderr: string): AgentOutcome;
}

export interface LaunchContext {
  readonly prompt: string;
  readonly promptFile: string;
  readonly workdir: string;
}

export interface Launch {
  readonly argv: readonly string[];
  /** Sent on stdin when the command line does not carry the prompt. */
  readonly stdin?: string;
}

export interface AgentSettings {
  readonly model?: string;
  readonly permissionMode?: string;
  readonly allowedTools?: readonly string[];
  readonly args: readonly string[];
}

export interface Adapter {
  readonly name: AdapterName;
  launch(agent: AgentSettings, ctx: LaunchContext): Launch;
  parser(): OutputParser;
  /** For an environment failure: the command line that fixes it, when the adapter knows one. */
  correct(launch: Launch, outcome: AgentOutcome, stderr: string): Launch | undefined;
}

/** Parses a JSON line, or undefined for anything else (banners, partial lines). */
export function jsonLine(text: string): Record<string, unknown> | undefined {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

const TRANSIENT = /rate.?limit|\b429\b|\b5\d\d\b|overloaded|timeout|timed out|ECONNRESET|ETIMEDOUT|stream disconnected|temporarily|try again|unavailable/i;
const AUTH = /auth|api key|credential|unauthori[sz]ed|\b401\b|\b403\b|forbidden|usage limit|quota|billing/i;

/** A failure's class from its words, when the CLI gives nothing more precise. */
export function classifyText(text: string): FailureClass {
  if (AUTH.test(text)) return 'final';
  if (TRANSIENT.test(text)) return 'transient';
  return 'final';
}
