import type { Diagnostic } from './diagnostic.js';
import type { Loc } from './diagnostic.js';
import type { RuleSpec } from '../rules/types.js';

/**
 * The fully resolved configuration: presets merged, references checked,
 * durations parsed. This plain value is all that later stages see; every
 * entity keeps the position it was written at so that the graph can still
 * point at a line (a cycle edge, a scope conflict).
 */

/** A name that refers to something else, with where it was written. */
export interface Ref {
  readonly id: string;
  readonly loc: Loc;
}

export type Command = { readonly shell: string } | { readonly argv: readonly string[] };

export interface Gate {
  readonly name: string;
  readonly loc: Loc;
  readonly description?: string;
  readonly run?: Command;
  readonly rule?: Ref;
  readonly files: readonly string[];
  readonly exclude: readonly string[];
  /** Undefined means never cached. */
  readonly inputs?: readonly string[];
  readonly needs: readonly Ref[];
  readonly timeoutMs?: number;
  readonly retries: number;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly enabled: boolean;
  /** Set only when the config says so: a rule's own severity applies otherwise. */
  readonly severity?: 'error' | 'warning';
  readonly options: Readonly<Record<string, unknown>>;
}

/** A rule declared in the config: a regular expression over files (see rules/declarative). */
export interface Rule extends RuleSpec {
  readonly loc: Loc;
  readonly description?: string;
  readonly files: readonly string[];
  readonly exclude: readonly string[];
}

export interface Scope {
  readonly touch: readonly string[];
  readonly forbid: readonly string[];
  /** Paths the task may change that tasks beside it may change too: they do not order the plan; the merge queue meets them. */
  readonly shared?: readonly string[];
}

export interface Task {
  readonly id: string;
  readonly loc: Loc;
  readonly phase: string;
  /** An agent id or a role. */
  readonly agent: Ref;
  readonly prompt: string;
  readonly scope: Scope;
  readonly timeoutMs?: number;
}

export interface Phase {
  readonly id: string;
  readonly loc: Loc;
  readonly description?: string;
  /** Undefined: the key was absent, so the phase follows the one before it. */
  readonly needs?: readonly Ref[];
  readonly tasks: readonly Task[];
  readonly gates: readonly Ref[];
  readonly fix?: { readonly agent: Ref; readonly attempts: number };
  readonly review?: { readonly agent: Ref };
  /** Where the phase came from: the config or a SPEC.md. */
  readonly origin: 'config' | 'spec';
  readonly budget?: Budget;
  /** Whether its agents get orchestra's MCP server to check their own work; see SelfCheck. */
  readonly selfCheck: SelfCheck;
}

/**
 * offered: every agent of the phase gets `orchestra mcp` (check_gate) and is asked to use it;
 * required: also, a task whose agent never checked, or ended on a failing check, is sent back
 * once before the phase's gates; off: no server.
 */
export type SelfCheck = 'required' | 'offered' | 'off';

/** No new agent starts once either limit is spent. */
export interface Budget {
  readonly minutes?: number;
  readonly usd?: number;
}

export const HOOK_NAMES = ['pre-commit', 'pre-push', 'commit-msg', 'post-merge', 'post-checkout'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface Config {
  /** The user's config file (absolute). */
  readonly file: string;
  /** The directory of the config file: relative paths and globs start here. */
  readonly root: string;
  /** Every file that went into this config, the user's last. */
  readonly files: readonly string[];
  readonly concurrency?: number;
  readonly gates: ReadonlyMap<string, Gate>;
  readonly rules: ReadonlyMap<string, Rule>;
  readonly phases: readonly Phase[];
  readonly hooks: Readonly<Partial<Record<HookName, readonly Ref[]>>>;
  readonly team?: Team;
  readonly budget?: Budget;
  readonly sandbox: SandboxSettings;
  readonly merge: MergeSettings;
  readonly alerts: AlertSettings;
  /** The user's own `worktree:` choices; what is left out is detected at run time (run/setup-plan.ts). */
  readonly worktree: WorktreeSettings;
  /** What loading quietly adjusted (a disabled gate taken out of hook lists and needs): `validate` says it. */
  readonly notes?: readonly Diagnostic[];
}

/** `alerts:`: when a run speaks up about an agent or itself, and the command it runs then (argv, never a shell). */
export interface AlertSettings {
  readonly silentMs: number;
  readonly stalledMs: number;
  readonly loopRepeats: number;
  readonly run?: readonly string[];
}

export interface MergeSettings {
  /** Rounds the task's agent gets to resolve a conflict. */
  readonly attempts: number;
  /** glob → command that makes the file again after a merge, instead of merging it as text. */
  readonly regenerate: ReadonlyMap<string, string>;
}

export interface WorktreeSettings {
  readonly copy?: readonly string[];
  readonly link?: readonly string[];
  readonly setup?: readonly Command[];
  readonly setupTimeoutMs?: number;
}

/**
 * How agents are confined. auto: in bubblewrap where it works, else
 * unconfined with a warning; required: a run does not start without it;
 * off: never. `writable`: absolute folders an agent may also write.
 */
export interface SandboxSettings {
  readonly mode: 'auto' | 'required' | 'off';
  readonly writable: readonly string[];
  /** The `sandbox:` key, when the config has one. */
  readonly loc?: Loc;
}

export type AdapterName = 'claude-code' | 'codex' | 'gemini' | 'aider';

export interface Agent {
  readonly id: string;
  readonly loc: Loc;
  readonly use?: AdapterName;
  /** With `use`: the CLI's path or command name, instead of the adapter's default. */
  readonly bin?: string;
  readonly command?: readonly string[];
  readonly roles: readonly string[];
  readonly concurrency: number;
  readonly timeoutMs?: number;
  /** Stopped after this long without a byte of output. */
  readonly idleTimeoutMs?: number;
  readonly env: Readonly<Record<string, string>>;
  readonly model?: string;
  readonly permissionMode?: string;
  readonly allowedTools?: readonly string[];
  readonly args: readonly string[];
}

export interface Team {
  readonly file: string;
  readonly agents: readonly Agent[];
}
