import { Command, CommanderError, Option } from 'commander';
import { orchestraVersion } from '../util/version.js';
import { EXIT, type CommonOptions } from './exit-codes.js';

/**
 * The command line. Only commander is loaded at start-up: each command's
 * module (and the config loader, yaml, ajv…) is imported when that command
 * runs, so `orchestra --version` stays fast.
 */


function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--config <path>', 'config file to use instead of searching from --cwd upwards')
    .option('--cwd <dir>', 'directory to run in (default: the current directory)')
    .option('--no-cache', 'read every file afresh instead of using .orchestra/cache');
}

export function commonOptions(opts: { cwd?: string; config?: string; cache?: boolean }): CommonOptions {
  return { cwd: opts.cwd ?? process.cwd(), cache: opts.cache !== false, ...(opts.config !== undefined ? { config: opts.config } : {}) };
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('orchestra')
    .description('A declarative, Make-like runner for gates and AI coding agents.')
    .version(orchestraVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError("(run 'orchestra --help' for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  withCommonOptions(program.command('validate'))
    .description('load and validate the config and team; print every problem at its file:line:column')
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean }) => {
      const { validateCommand } = await import('./commands/validate.js');
      setExit(await validateCommand(commonOptions(opts)));
    });

  program
    .command('init')
    .description('write a starter orchestra.config.yaml and team.json, and ignore .orchestra/ in git')
    .option('--cwd <dir>', 'directory to set up (default: the current directory)')
    .option('-f, --force', 'overwrite existing orchestra.config.yaml and team.json')
    .action(async (opts: { cwd?: string; force?: boolean }) => {
      const { initCommand } = await import('./commands/init.js');
      setExit(await initCommand({ cwd: opts.cwd ?? process.cwd(), force: opts.force === true }));
    });

  withCommonOptions(program.command('plan'))
    .description('compile the config and show waves, scope decisions, the critical path and who gets each task')
    .argument('[phases...]', 'only these phases and what they need (default: all)')
    .option('--json', 'print the plan as JSON')
    .option('--write', 'also write the plan as markdown under .orchestra/reports/')
    .option('--strict-scopes', 'treat tasks with overlapping scopes as an error instead of ordering them')
    .action(async (phases: string[], opts: { cwd?: string; config?: string; cache?: boolean; json?: boolean; write?: boolean; strictScopes?: boolean }) => {
      const { planCommand } = await import('./commands/plan.js');
      setExit(await planCommand({ ...commonOptions(opts), phases, json: opts.json === true, write: opts.write === true, strictScopes: opts.strictScopes === true }));
    });

  withCommonOptions(program.command('graph'))
    .description('print the compiled graph: nodes (task, gate, fix, checkpoint) and the edges between them')
    .argument('[phases...]', 'only these phases and what they need (default: the whole graph)')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot', 'json']).default('mermaid'))
    .option('--strict-scopes', 'treat tasks with overlapping scopes as an error instead of ordering them')
    .action(async (phases: string[], opts: { cwd?: string; config?: string; cache?: boolean; format: 'mermaid' | 'dot' | 'json'; strictScopes?: boolean }) => {
      const { graphCommand } = await import('./commands/graph.js');
      setExit(await graphCommand({ ...commonOptions(opts), phases, format: opts.format, strictScopes: opts.strictScopes === true }));
    });

  return program;
}

/** Runs the CLI and returns the exit code; never throws for anything a user can cause. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    if (argv.length <= 2) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const err = e as Error;
    process.stderr.write(`orchestra: internal error (a bug in orchestra, please report it):\n${err.stack ?? String(err)}\n`);
    return EXIT.internal;
  }
}
