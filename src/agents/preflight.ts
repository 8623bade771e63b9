import path from 'node:path';
import type { AdapterName, Agent, Gate } from '../config/types.js';
import { ADAPTERS } from './adapters/index.js';

/**
 * `orchestra doctor` and the check `orchestra run` makes before it starts:
 * is each agent's CLI there, does it accept the flags orchestra passes, is it
 * logged in, will it work in a fresh worktree; is each gate's program there.
 * The decisions are plain functions of what a {@link Probe} saw, so they are
 * tested with a fake one; the real probe (probe.ts) spawns the CLIs.
 */

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

const INSTALL: Readonly<Record<AdapterName, string>> = {
  'claude-code': 'npm install -g @anthropic-ai/claude-code',
  codex: 'npm install -g @openai/codex',
  gemini: 'npm install -g @google/gemini-cli',
  aider: 'python -m pip install aider-install && aider-install',
};

const CANNOT_TELL = 'cannot tell without a model call';

/** The program an agent starts: `bin:` or the adapter's default for `use:`, argv[0] for `command:`. */
export function programOf(agent: Agent): string | undefined {
  if (agent.use) return agentLaunch(agent).argv[0];
  return agent.command?.[0];
}

/** The adapter's command line for this agent, without the user's extra `args` (those are the user's to vouch for). */
function agentLaunch(agent: Agent): { argv: readonly string[] } {
  return ADAPTERS[agent.use as AdapterName].launch({ ...agent, args: [] }, { prompt: 'PROMPT', promptFile: 'PROMPT_FILE', workdir: 'WORKDIR' });
}

/** What to ask for help (`codex exec --help`: the words before the first option, then --help) and the long options orchestra passes. */
export function flagsFor(agent: Agent): { helpArgs: string[]; flags: string[] } {
  const argv = agentLaunch(agent).argv.slice(1);
  const firstOption = argv.findIndex((a) => a.startsWith('-'));
  const subcommand = firstOption === -1 ? [] : argv.slice(0, firstOption);
  const flags = [...new Set(argv.filter((a) => /^--[\w-]+$/.test(a)))];
  return { helpArgs: [...subcommand, '--help'], flags };
}

/** The first line a CLI printed, short. */
export function firstLine(r: Pick<ProbeResult, 'stdout' | 'stderr'>): string {
  const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim() !== '') ?? '';
  const t = line.trim();
  return t.length > 100 ? `${t.slice(0, 97)}...` : t;
}

function mentions(help: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w-])${escaped}(?![\\w-])`, 'm').test(help);
}

/** The CLI row from where it was found and what `--version` said. */
export function judgeCli(agent: Agent, program: string, found: string | undefined, version: ProbeResult | undefined): AgentRow {
  const row = { agent: agent.id, check: 'cli' as const };
  if (!found) {
    const file = path.basename(agent.loc.file) || 'team.json';
    const where = program.includes('/') ? `no executable file ${program}` : `'${program}' is not on PATH`;
    const install = agent.use ? INSTALL[agent.use] : undefined;
    const fix = agent.use
      ? agent.bin !== undefined
        ? `'bin: ${agent.bin}' in ${file} names no CLI: point it at the ${agent.use} CLI, or install it (${install}) and remove 'bin'`
        : `install it (${install}), or set 'bin' in ${file} to where it is`
      : `install '${program}', or correct 'command' of agent ${agent.id} in ${file}`;
    return { ...row, ok: false, detail: where, fix };
  }
  if (!agent.use) return { ...row, ok: true, detail: `${found} (a command agent: not run to ask its version)` };
  if (!version) return { ...row, ok: true, detail: found };
  if (version.timedOut) return { ...row, ok: true, detail: `${found} (no answer to --version in ${VERSION_TIMEOUT_MS / 1000} s)` };
  if (version.code !== 0) {
    const said = firstLine(version) || version.error || `exit code ${version.code}`;
    return {
      ...row,
      ok: false,
      detail: `${found} is there but \`${path.basename(program)} --version\` failed: ${said}`,
      fix: `reinstall it (${INSTALL[agent.use]})${agent.bin !== undefined ? ", or point 'bin' at a working one" : ''}`,
    };
  }
  return { ...row, ok: true, detail: `${found} (${firstLine(version)})` };
}

/** Whether `--help` mentions every long option orchestra passes; an old CLI fails here, with its version. */
export function judgeFlags(agent: Agent, help: ProbeResult, flags: readonly string[], version: string | undefined): AgentRow {
  const row = { agent: agent.id, check: 'flags' as const };
  const cli = path.basename(programOf(agent) ?? '');
  const helpCommand = `${cli} ${flagsFor(agent).helpArgs.join(' ')}`;
  if (help.timedOut) return { ...row, ok: 'unknown', detail: `\`${helpCommand}\` gave no answer in ${HELP_TIMEOUT_MS / 1000} s` };
  if (help.code !== 0) return { ...row, ok: 'unknown', detail: `\`${helpCommand}\` failed (${firstLine(help) || help.error || `exit code ${help.code}`})` };
  const text = `${help.stdout}\n${help.stderr}`;
  const missing = flags.filter((f) => !mentions(text, f));
  if (missing.length === 0) return { ...row, ok: true, detail: `accepts ${flags.join(' ')}` };
  return {
    ...row,
    ok: false,
    detail: `${version ? `${version}: ` : ''}\`${helpCommand}\` does not mention ${missing.join(', ')}, which orchestra passes`,
    fix: `update it (${INSTALL[agent.use as AdapterName]}@latest)`,
  };
}

/** Claude Code: `claude auth status` prints JSON with loggedIn (and exits 1 when not); older CLIs: the key or the credentials file. */
export function judgeClaudeLogin(agent: Agent, status: ProbeResult | undefined, env: Env, credentials: boolean): AgentRow {
  const row = { agent: agent.id, check: 'login' as const };
  const hint = ADAPTERS['claude-code'].loginHint;
  const parsed = status ? parseJson(status.stdout) : undefined;
  if (parsed && typeof parsed['loggedIn'] === 'boolean') {
    const how = [parsed['authMethod'], parsed['apiKeySource']].filter((x) => typeof x === 'string' && x !== 'none').join(', ');
    return parsed['loggedIn']
      ? { ...row, ok: true, detail: `claude auth status: logged in${how ? ` (${how})` : ''}` }
      : { ...row, ok: false, detail: 'claude auth status: not logged in', fix: hint };
  }
  const key = setVar(env, ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX']);
  if (key) return { ...row, ok: true, detail: `${key} is set` };
  if (credentials) return { ...row, ok: true, detail: '~/.claude/.credentials.json is there' };
  return { ...row, ok: 'unknown', detail: `no ANTHROPIC_API_KEY, no ~/.claude/.credentials.json (a keychain login may still work): ${CANNOT_TELL}`, fix: hint };
}

/** Codex: `codex login status` exits 0 when logged in ("Logged in using …") and 1 with "Not logged in". */
export function judgeCodexLogin(agent: Agent, status: ProbeResult, env: Env): AgentRow {
  const row = { agent: agent.id, check: 'login' as const };
  const said = firstLine(status);
  if (status.code === 0) return { ...row, ok: true, detail: `codex login status: ${said || 'logged in'}` };
  const key = setVar(env, ['CODEX_API_KEY', 'OPENAI_API_KEY']);
  if (status.code === null || status.timedOut) {
    return key
      ? { ...row, ok: true, detail: `${key} is set (codex login status gave no answer)` }
      : { ...row, ok: 'unknown', detail: `codex login status gave no answer: ${CANNOT_TELL}` };
  }
  // A key in the environment serves `codex exec` (or a provider's env_key) without a login.
  if (key) return { ...row, ok: 'unknown', detail: `codex login status: ${said || 'not logged in'}; ${key} is set: ${CANNOT_TELL}` };
  return { ...row, ok: false, detail: `codex login status: ${said || `exit code ${status.code}`}`, fix: ADAPTERS.codex.loginHint };
}

/** Gemini: a key in the environment, or an auth type chosen in ~/.gemini/settings.json (its OAuth login leaves oauth_creds.json). */
export function judgeGeminiLogin(agent: Agent, env: Env, settings: string | undefined, oauthCreds: boolean): AgentRow {
  const row = { agent: agent.id, check: 'login' as const };
  const hint = ADAPTERS.gemini.loginHint;
  const key = setVar(env, ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA']);
  if (key) return { ...row, ok: true, detail: `${key} is set` };
  const parsed = settings === undefined ? undefined : parseJson(settings);
  if (settings !== undefined && !parsed) return { ...row, ok: 'unknown', detail: `~/.gemini/settings.json is not plain JSON: ${CANNOT_TELL}` };
  const security = parsed?.['security'];
  const auth = isObject(security) ? security['auth'] : undefined;
  const type = isObject(auth) && typeof auth['selectedType'] === 'string' ? auth['selectedType'] : undefined;
  if (!type) return { ...row, ok: false, detail: 'no GEMINI_API_KEY and no security.auth.selectedType in ~/.gemini/settings.json', fix: hint };
  if (type === 'gemini-api-key') return { ...row, ok: false, detail: 'settings.json selects gemini-api-key but GEMINI_API_KEY is not set', fix: hint };
  if (type === 'oauth-personal')
    return oauthCreds
      ? { ...row, ok: true, detail: 'settings.json selects oauth-personal and ~/.gemini/oauth_creds.json is there' }
      : { ...row, ok: false, detail: 'settings.json selects oauth-personal but there is no ~/.gemini/oauth_creds.json', fix: hint };
  return { ...row, ok: 'unknown', detail: `settings.json selects ${type}: ${CANNOT_TELL}` };
}

/** Aider reads the key of whichever model it uses, from the environment, .env or .aider.conf.yml. */
export function judgeAiderLogin(agent: Agent, env: Env): AgentRow {
  const row = { agent: agent.id, check: 'login' as const };
  const key = setVar(env, ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'DEEPSEEK_API_KEY', 'OPENROUTER_API_KEY']);
  return key
    ? { ...row, ok: true, detail: `${key} is set` }
    : {
        ...row,
        ok: 'unknown',
        detail: `no model API key in the environment (.env or .aider.conf.yml may have one): ${CANNOT_TELL}`,
        fix: ADAPTERS.aider.loginHint,
      };
}

/** Will the CLI work unattended in a fresh worktree (a folder it has never seen)? */
export function judgeTrust(agent: Agent, flags: AgentRow | undefined): AgentRow {
  const row = { agent: agent.id, check: 'trust' as const };
  switch (agent.use) {
    case 'claude-code':
      return { ...row, ok: true, detail: 'print mode (-p) asks no trust question' };
    case 'codex':
      return { ...row, ok: true, detail: "orchestra's worktrees are git repositories: codex exec works there without --skip-git-repo-check" };
    case 'gemini':
      if (flags?.ok === true) return { ...row, ok: true, detail: '--skip-trust trusts each new worktree for the session (else --yolo falls back to asking)' };
      if (flags?.ok === false && !/--skip-trust/.test(flags.detail)) return { ...row, ok: true, detail: 'accepts --skip-trust' };
      return flags?.ok === false
        ? {
            ...row,
            ok: false,
            detail: 'no --skip-trust: in a new worktree Gemini drops --yolo and waits for approvals',
            fix: `update it (${INSTALL.gemini}@latest)`,
          }
        : { ...row, ok: 'unknown', detail: 'could not read --help to see --skip-trust' };
    default:
      return { ...row, ok: true, detail: '--yes-always: aider asks nothing' };
  }
}

/** Every row for one agent. `login: false` skips the login check (what `run` needs is the CLI and its flags). */
export async function checkAgent(agent: Agent, ctx: PreflightContext, opts: { login: boolean } = { login: true }): Promise<AgentRow[]> {
  const program = programOf(agent);
  if (program === undefined) return [];
  const env: Env = {
    ...ctx.env,
    ...agent.env,
    ...(agent.use === 'gemini' && ctx.env['GEMINI_CLI_NO_RELAUNCH'] === undefined ? { GEMINI_CLI_NO_RELAUNCH: 'true' } : {}),
  };
  const found = ctx.probe.which(program, env, ctx.root);
  if (!found || !agent.use) return [judgeCli(agent, program, found, undefined)];
  const { helpArgs, flags } = flagsFor(agent);
  const home = env['HOME'] || ctx.home;
  const run = (args: readonly string[], timeoutMs: number) => ctx.probe.run([found, ...args], env, ctx.root, timeoutMs);
  const [version, help, login] = await Promise.all([
    run(['--version'], VERSION_TIMEOUT_MS),
    run(helpArgs, HELP_TIMEOUT_MS),
    opts.login ? loginRow(agent, env, home, ctx, run) : Promise.resolve(undefined),
  ]);
  const cli = judgeCli(agent, program, found, version);
  if (cli.ok === false) return [cli];
  const flagRow = judgeFlags(agent, help, flags, version.code === 0 ? firstLine(version) : undefined);
  return [cli, flagRow, ...(login ? [login] : []), judgeTrust(agent, flagRow)];
}

async function loginRow(
  agent: Agent,
  env: Env,
  home: string,
  ctx: PreflightContext,
  run: (args: readonly string[], timeoutMs: number) => Promise<ProbeResult>,
): Promise<AgentRow> {
  switch (agent.use) {
    case 'claude-code': {
      const status = await run(['auth', 'status'], HELP_TIMEOUT_MS);
      return judgeClaudeLogin(agent, status, env, ctx.probe.readFile(path.join(home, '.claude', '.credentials.json')) !== undefined);
    }
    case 'codex':
      return judgeCodexLogin(agent, await run(['login', 'status'], HELP_TIMEOUT_MS), env);
    case 'gemini':
      return judgeGeminiLogin(
        agent,
        env,
        ctx.probe.readFile(path.join(home, '.gemini', 'settings.json')),
        ctx.probe.readFile(path.join(home, '.gemini', 'oauth_creds.json')) !== undefined,
      );
    default:
      return judgeAiderLogin(agent, env);
  }
}

const SHELL_WORDS = new Set(
  'if then else elif fi for while until do done case esac function select time cd export source . exec eval set unset alias ulimit umask wait trap shift read return exit builtin command type'.split(
    ' ',
  ),
);

/** The program a gate starts: argv[0], or the first word of a shell string when it is a plain command (not `cd`, `FOO=1`, `$X`, a quote…); rule gates start none. */
export function gateProgram(gate: Gate): string | undefined {
  if (!gate.run) return undefined;
  if ('argv' in gate.run) return gate.run.argv[0];
  const first = gate.run.shell.trim().split(/\s+/)[0] ?? '';
  if (!/^[\w.+/@-]+$/.test(first) || SHELL_WORDS.has(first)) return undefined;
  return first;
}

/** Is the gate's program there? Undefined for rule gates, disabled gates and shell strings that do not start with a plain command. */
export function checkGate(gate: Gate, ctx: PreflightContext): GateRow | undefined {
  const program = gateProgram(gate);
  if (!gate.enabled || program === undefined) return undefined;
  const env: Env = { ...ctx.env, ...gate.env };
  const cwd = gate.cwd ? path.resolve(ctx.root, gate.cwd) : ctx.root;
  const found = ctx.probe.which(program, env, cwd);
  const row = { gate: gate.name, check: 'tool' as const };
  if (found) return { ...row, ok: true, detail: `${program}: ${found}` };
  const local = !program.includes('/') && ctx.probe.which(path.join(ctx.root, 'node_modules', '.bin', program), env, cwd);
  return {
    ...row,
    ok: false,
    detail: program.includes('/') ? `no executable file ${program}` : `'${program}' is not installed or not on PATH`,
    fix: local
      ? `it is in node_modules/.bin: write 'npx ${program} …' in gate ${gate.name}, or run it from an npm script`
      : `install it, or set enabled: false on gate ${gate.name}`,
  };
}

/** Every row: the agents in order, then the gates. */
export async function preflight(
  agents: readonly Agent[],
  gates: readonly Gate[],
  ctx: PreflightContext,
  opts: { login: boolean } = { login: true },
): Promise<PreflightRow[]> {
  const agentRows = await Promise.all(agents.map((a) => checkAgent(a, ctx, opts)));
  const gateRows = gates.map((g) => checkGate(g, ctx)).filter((r): r is GateRow => r !== undefined);
  return [...agentRows.flat(), ...gateRows];
}

/** What stops a run before it starts: a CLI that is not there or does not take orchestra's flags (an unknown login does not). */
export function blocking(rows: readonly PreflightRow[]): PreflightRow[] {
  return rows.filter((r) => r.ok === false && (r.check === 'cli' || r.check === 'flags' || r.check === 'trust'));
}

function setVar(env: Env, names: readonly string[]): string | undefined {
  return names.find((n) => (env[n] ?? '') !== '');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text.trim());
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
