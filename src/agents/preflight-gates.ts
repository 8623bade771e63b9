import path from 'node:path';
import type { Gate } from '../config/types.js';
import type { Env, GateRow, PreflightContext } from './preflight-facts.js';

// Is each gate's program there: its argv[0], or the first word of a plain shell command.

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
