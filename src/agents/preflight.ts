import path from 'node:path';
import type { AdapterName, Agent, Gate } from '../config/types.js';
import { ADAPTERS } from './adapters/index.js';
import {
  firstLine,
  HELP_TIMEOUT_MS,
  VERSION_TIMEOUT_MS,
  type AgentRow,
  type Env,
  type GateRow,
  type PreflightContext,
  type PreflightRow,
  type ProbeResult,
} from './preflight-facts.js';
import { checkGate } from './preflight-gates.js';
import { judgeAiderLogin, judgeClaudeLogin, judgeCodexLogin, judgeGeminiLogin } from './preflight-login.js';

export * from './preflight-facts.js';
export * from './preflight-gates.js';
export * from './preflight-login.js';

/**
 * `orchestra doctor` and the check `orchestra run` makes before it starts:
 * is each agent's CLI there, does it accept the flags orchestra passes, is it
 * logged in, will it work in a fresh worktree; is each gate's program there.
 * The decisions are plain functions of what a {@link Probe} saw, so they are
 * tested with a fake one; the real probe (probe.ts) spawns the CLIs.
 */

const INSTALL: Readonly<Record<AdapterName, string>> = {
  'claude-code': 'npm install -g @anthropic-ai/claude-code',
  codex: 'npm install -g @openai/codex',
  gemini: 'npm install -g @google/gemini-cli',
  aider: 'python -m pip install aider-install && aider-install',
};

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

function mentions(help: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w-])${escaped}(?![\\w-])`, 'm').test(help);
}

/** The CLI row from where it was found and what `--version` said. */
function judgeCli(agent: Agent, program: string, found: string | undefined, version: ProbeResult | undefined): AgentRow {
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
function judgeFlags(agent: Agent, help: ProbeResult, flags: readonly string[], version: string | undefined): AgentRow {
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

/** Will the CLI work unattended in a fresh worktree (a folder it has never seen)? */
function judgeTrust(agent: Agent, flags: AgentRow | undefined): AgentRow {
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
