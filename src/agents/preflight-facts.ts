// What the preflight checks share: their rows, the probe they ask, and small readers.

/** true: fine; false: missing or wrong (says what to do); 'unknown': cannot tell (never a failure). */
export type Verdict = boolean | 'unknown';
export type AgentCheck = 'cli' | 'flags' | 'login' | 'trust';

export interface AgentRow {
  readonly agent: string;
  readonly check: AgentCheck;
  readonly ok: Verdict;
  readonly detail: string;
  readonly fix?: string;
}

export interface GateRow {
  readonly gate: string;
  readonly check: 'tool';
  readonly ok: Verdict;
  readonly detail: string;
  readonly fix?: string;
}

export type PreflightRow = AgentRow | GateRow;

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProbeResult {
  /** Null when it did not exit by itself (timed out, could not start). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut?: boolean;
  /** Why it could not start. */
  readonly error?: string;
}

/** The side effects the checks need. */
export interface Probe {
  /** The absolute path of a program: `bin` with a slash is a path (from `cwd`), else it is looked up on env.PATH; undefined when not there or not executable. */
  which(bin: string, env: Env, cwd: string): string | undefined;
  /** Runs argv (argv[0] an absolute path) with stdin closed; stopped after `timeoutMs`. */
  run(argv: readonly string[], env: Env, cwd: string, timeoutMs: number): Promise<ProbeResult>;
  /** A file's text; undefined when it cannot be read. */
  readFile(file: string): string | undefined;
}

export interface PreflightContext {
  readonly probe: Probe;
  /** The environment orchestra would start the agents and gates with (process.env). */
  readonly env: Env;
  /** Where relative `bin:` paths and gate cwds start: the config's folder. */
  readonly root: string;
  /** The home folder when the env has no HOME. */
  readonly home: string;
}

export const VERSION_TIMEOUT_MS = 10_000;
/** Gemini CLI takes several seconds just to load on a busy machine. */
export const HELP_TIMEOUT_MS = 30_000;

export const CANNOT_TELL = 'cannot tell without a model call';

/** The first line a CLI printed, short. */
export function firstLine(r: Pick<ProbeResult, 'stdout' | 'stderr'>): string {
  const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim() !== '') ?? '';
  const t = line.trim();
  return t.length > 100 ? `${t.slice(0, 97)}...` : t;
}

export function setVar(env: Env, names: readonly string[]): string | undefined {
  return names.find((n) => (env[n] ?? '') !== '');
}
