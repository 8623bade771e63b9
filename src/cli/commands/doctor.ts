import { blocking, preflight, type PreflightRow } from '../../agents/preflight.js';
import { systemContext } from '../../agents/probe.js';
import type { Agent, Config } from '../../config/types.js';
import type { Graph } from '../../graph/types.js';
import { styleFor, type Style } from '../../logger/style.js';
import { AgentSlots } from '../../run/agent-slots.js';
import { EXIT, type CommonOptions } from '../exit-codes.js';
import { loadOrReport } from './validate.js';

export interface DoctorOptions extends CommonOptions {
  readonly json: boolean;
}

/** `orchestra doctor`: every agent of the team and every gate's program, one row per check. Exit 1 when something is missing. */
export async function doctorCommand(opts: DoctorOptions): Promise<number> {
  const { config } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const agents = config.team?.agents ?? [];
  const rows: DoctorRow[] = [
    ...(await preflight(agents, [...config.gates.values()], systemContext(config.root))),
    await sandboxRow(config),
    ...(config.phases.length ? await setupRows(config) : []),
  ];
  const failed = rows.filter((r) => r.ok === false).length;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    const style = styleFor(process.stdout);
    if (!config.team) process.stdout.write('no team.json: no agents to check\n');
    if (rows.length) process.stdout.write(`${table(rows, style)}\n`);
    const unknown = rows.filter((r) => r.ok === 'unknown').length;
    process.stdout.write(
      `\n${failed ? style.red(`${failed} missing`) : style.green('nothing missing')}${unknown ? `, ${unknown} unknown` : ''} (${agents.length} ${agents.length === 1 ? 'agent' : 'agents'}, ${new Set(rows.flatMap((r) => ('gate' in r ? [r.gate] : []))).size} gates with a program)\n`,
    );
  }
  return failed ? EXIT.failed : EXIT.ok;
}

/** The sandbox as doctor reports it: a row of its own beside the agents and gates. */
interface SandboxRow {
  readonly sandbox: Config['sandbox']['mode'];
  readonly check: 'sandbox';
  readonly ok: PreflightRow['ok'];
  readonly detail: string;
  readonly fix?: string;
}
/** A worktree setup command (detected or configured): is its program there? */
interface SetupRow {
  readonly setup: string;
  readonly check: 'setup';
  readonly ok: PreflightRow['ok'];
  readonly detail: string;
  readonly fix?: string;
}
type DoctorRow = PreflightRow | SandboxRow | SetupRow;

async function setupRows(config: Config): Promise<SetupRow[]> {
  const { setupPlanFor } = await import('../../run/worktree-setup.js');
  const plan = setupPlanFor(config);
  const ctx = systemContext(config.root);
  return plan.setup.map((s) => {
    const text = 'shell' in s.command ? s.command.shell : s.command.argv.join(' ');
    const program = text.trim().split(/\s+/)[0] ?? '';
    const found = ctx.probe.which(program, ctx.env, config.root);
    return found
      ? { setup: text, check: 'setup', ok: true, detail: `${text} (${s.why}): ${found}` }
      : {
          setup: text,
          check: 'setup',
          ok: false,
          detail: `${text} (${s.why}): no ${program} on PATH`,
          fix: `install ${program}, or set worktree.setup in the config`,
        };
  });
}

async function sandboxRow(config: Config): Promise<SandboxRow> {
  const mode = config.sandbox.mode;
  if (mode === 'off') return { sandbox: mode, check: 'sandbox', ok: true, detail: 'sandbox: off in the config: agents run unconfined' };
  const { sandboxAvailability } = await import('../../sandbox/availability.js');
  const a = await sandboxAvailability();
  if (a.ok) return { sandbox: mode, check: 'sandbox', ok: true, detail: `bubblewrap (${a.bin}) works: each agent may write only its worktree` };
  // Under auto a run still starts (unconfined, with a warning); under required it does not.
  return { sandbox: mode, check: 'sandbox', ok: mode === 'required' ? false : 'unknown', detail: `${a.reason} (sandbox: ${mode})`, fix: a.fix };
}

const WORD = { true: 'ok', false: 'missing', unknown: 'unknown' } as const;

/** One line per row: agent/gate, check, ok|missing|unknown, detail, and what to do. */
export function table(rows: readonly DoctorRow[], style: Style): string {
  const subject = (r: DoctorRow) => ('agent' in r ? r.agent : 'gate' in r ? `gate ${r.gate}` : 'setup' in r ? 'worktree' : 'sandbox');
  const w1 = Math.max('agent/gate'.length, ...rows.map((r) => subject(r).length));
  const w2 = Math.max('check'.length, ...rows.map((r) => r.check.length));
  const w3 = 'missing'.length;
  const color = (r: DoctorRow, s: string) => (r.ok === true ? style.green(s) : r.ok === false ? style.red(s) : style.yellow(s));
  const lines = rows.map((r) => {
    const word = WORD[String(r.ok) as keyof typeof WORD];
    return `${subject(r).padEnd(w1)}  ${r.check.padEnd(w2)}  ${color(r, word.padEnd(w3))}  ${r.detail}${r.fix ? `\n${' '.repeat(w1 + w2 + w3 + 6)}${style.bold('→')} ${r.fix}` : ''}`;
  });
  return [style.dim(`${'agent/gate'.padEnd(w1)}  ${'check'.padEnd(w2)}  ${'status'.padEnd(w3)}  detail / → what to do`), ...lines].join('\n');
}

/** The agents a run may start: those its tasks, fix and review nodes name, by id or by role. */
export function agentsOfGraph(graph: Graph, config: Config): Agent[] {
  if (!config.team) return [];
  const slots = new AgentSlots(config.team);
  const refs = new Set<string>();
  for (const node of graph.nodes) {
    if (node.kind === 'task') refs.add(node.task.agent.id);
    if (node.kind === 'fix') {
      refs.add(node.agent);
      if (node.review !== undefined) refs.add(node.review);
    }
  }
  const agents = new Map<string, Agent>();
  for (const ref of refs) for (const a of slots.candidates(ref)) agents.set(a.id, a);
  return [...agents.values()];
}

/**
 * Before `run` makes a branch or a worktree: the CLIs of the agents it is about to use are there and take
 * orchestra's flags. Returns the words to refuse with, or undefined to go on.
 */
export async function runPreflight(config: Config, graph: Graph): Promise<string | undefined> {
  const rows = await preflight(agentsOfGraph(graph, config), [], systemContext(config.root), { login: false });
  const bad = blocking(rows);
  if (bad.length === 0) return undefined;
  const style = styleFor(process.stderr);
  return `${table(bad, style)}\n\n${style.red('orchestra run: not started')}: ${bad.length === 1 ? 'an agent CLI is' : 'agent CLIs are'} missing or too old (nothing was changed; 'orchestra doctor' checks everything; --no-preflight skips this check)\n`;
}
