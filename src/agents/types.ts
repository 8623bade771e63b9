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

/** How an adapter words a CLI's refusal of a tool use under its permission rules (a `warning` event); the runner notes these. */
export const DENIED = "refused by the CLI's permissions: ";

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  /** Only where the CLI reports it (Claude Code, Aider); Codex and Gemini do not. */
  costUsd?: number;
}

/**
 * transient: try again after a backoff (network, rate limit, overload, an
 * edit the model fumbled); environment: the agent's setup is wrong (not
 * logged in, a bad key, tools denied): restarted once where the adapter knows
 * a corrected command line, else not retried; final: retrying will not help
 * (quota, turn limit).
 */
export type FailureClass = 'transient' | 'environment' | 'final';

/** What an environment failure was, when the adapter can tell: it decides what a person is told to do. */
export type FailureCause = 'auth' | 'permissions';

export interface AgentFailure {
  readonly class: FailureClass;
  /** In the CLI's own words where it gave any. */
  readonly reason: string;
  readonly cause?: FailureCause;
}

export interface AgentOutcome {
  readonly ok: boolean;
  /** The agent's closing words, when it said any. */
  readonly final?: string;
  readonly failure?: AgentFailure;
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
  /** Globs (from the workdir) the agent may not change: a CLI that can refuse such edits itself is told to. */
  readonly forbid?: readonly string[];
  /** orchestra's MCP server for this agent, given with the CLI's own mechanism (see mcp-wiring.ts). */
  readonly mcp?: McpServerSpec;
}

/** How to start `orchestra mcp` for one agent, and the files orchestra wrote for the CLIs that read it from a file. */
export interface McpServerSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** `{"mcpServers": {"orchestra": …}}` (Claude Code's `--mcp-config` and `.mcp.json` format). */
  readonly configFile: string;
  /** Gemini CLI's settings with the server, merged over the machine's own system settings. */
  readonly geminiSettingsFile: string;
  /** How long one tool call may take (a gate set's run), for CLIs that stop a call early by default. */
  readonly toolTimeoutMs: number;
}

export interface Launch {
  readonly argv: readonly string[];
  /** Sent on stdin when the command line does not carry the prompt. */
  readonly stdin?: string;
  /** More environment for the CLI (a settings path), on top of the agent's. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface AgentSettings {
  /** The CLI to start: a path or a command name (default: the adapter's, such as `claude`). */
  readonly bin?: string;
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
  /** What to do about an auth failure: how this CLI logs in. */
  readonly loginHint: string;
  /** The CLI can be given orchestra's MCP server, so it can call `check_gate` (Aider cannot). */
  readonly mcp: boolean;
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
const LOGIN = /not logged in|log ?in\b|\/login|api.?key|credential|unauthori[sz]ed|\b401\b|\b403\b|forbidden|authenticat/i;
const QUOTA = /usage limit|quota|billing|insufficient.?(credit|funds|balance)/i;

/**
 * A failure from its words, when the CLI gives nothing more precise. A quota
 * wins over a login word ("quota for this API key"). `otherwise`: the class
 * when the words say nothing (a crash that printed no reason is worth another try).
 */
export function classifyText(text: string, otherwise: FailureClass = 'final'): Pick<AgentFailure, 'class' | 'cause'> {
  if (QUOTA.test(text)) return { class: 'final' };
  if (LOGIN.test(text)) return { class: 'environment', cause: 'auth' };
  if (TRANSIENT.test(text)) return { class: 'transient' };
  return { class: otherwise };
}
