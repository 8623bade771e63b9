import { Option, type Command } from 'commander';
import { collectList, collectShard, nonNegativeInt } from './option-parsers.js';
import { commonOptions, withCommonOptions, type SetExit } from './common-options.js';
import { registerCheckCommand } from './register-check.js';

/** Setting a repo up and checking it: validate, doctor, init, plan, graph, check, export, rules, presets, hooks. */
export function registerGateCommands(program: Command, setExit: SetExit): void {
  withCommonOptions(program.command('validate'))
    .description('load and validate the config and team, and compile the graph; print every problem at its file:line:column')
    .option('--strict-scopes', 'treat tasks with overlapping scopes as an error, as plan --strict-scopes does')
    .option('--explain', "also list each hook's gates and the file (preset or yours) each came from")
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean; strictScopes?: boolean; explain?: boolean }) => {
      const { validateCommand } = await import('./commands/validate.js');
      setExit(await validateCommand({ ...commonOptions(opts), strictScopes: opts.strictScopes === true, explain: opts.explain === true }));
    });

  withCommonOptions(program.command('doctor'))
    .description("are the agents' CLIs there, taking orchestra's flags, logged in, trusting a new worktree; are the gates' programs there")
    .option('--json', 'print the checks as JSON')
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean; json?: boolean }) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      setExit(await doctorCommand({ ...commonOptions(opts), json: opts.json === true }));
    });

  program
    .command('init')
    .description(
      'detect the project (package.json scripts, lockfile, Python, SQLAlchemy, Go, hook managers) and write an orchestra.config.yaml and team.json that fit it',
    )
    .option('--cwd <dir>', 'directory to set up (default: the current directory)')
    .option('-f, --force', 'overwrite existing orchestra.config.yaml and team.json')
    .option('--preset <name>', 'extend this builtin preset instead of the detected ones; repeat for several', collectList)
    .option('--no-import-hooks', "leave lefthook.yml's and .pre-commit-config.yaml's hooks out (by default each command becomes a gate of the same name)")
    .action(async (opts: { cwd?: string; force?: boolean; preset?: string[]; importHooks?: boolean }) => {
      const { initCommand } = await import('./commands/init.js');
      setExit(
        await initCommand({
          cwd: opts.cwd ?? process.cwd(),
          force: opts.force === true,
          importHooks: opts.importHooks !== false,
          ...(opts.preset ? { presets: opts.preset } : {}),
        }),
      );
    });

  withCommonOptions(program.command('plan'))
    .description('compile the config and show waves, scope decisions, the critical path and who gets each task')
    .argument('[phases...]', 'only these phases and what they need (default: all)')
    .option('--json', 'print the plan as JSON')
    .option('--write [file]', 'also write the plan as markdown under .orchestra/reports/; with --request: the plan file (default orchestra.plan.yaml)')
    .option('--strict-scopes', 'treat tasks with overlapping scopes as an error instead of ordering them')
    // Planning from a request (issue 17): a planner agent answers, orchestra checks it like a config.
    .option('--request <text>', 'have the planner agent (team role planner, else the first agent) plan this request')
    .option('--request-file <file>', 'the request, read from a file')
    .option('--attempts <n>', 'with --request: repair rounds when the answer is invalid', nonNegativeInt, 2)
    .option('--dry-run', 'with --request: print the plan file instead of writing it')
    .action(
      async (
        phases: string[],
        opts: {
          cwd?: string;
          config?: string;
          cache?: boolean;
          json?: boolean;
          write?: boolean | string;
          strictScopes?: boolean;
          request?: string;
          requestFile?: string;
          attempts: number;
          dryRun?: boolean;
        },
      ) => {
        if (opts.request !== undefined || opts.requestFile !== undefined) {
          const { planRequestCommand } = await import('./commands/plan-request.js');
          setExit(
            await planRequestCommand({
              ...commonOptions(opts),
              ...(opts.request !== undefined ? { request: opts.request } : {}),
              ...(opts.requestFile !== undefined ? { requestFile: opts.requestFile } : {}),
              ...(typeof opts.write === 'string' ? { write: opts.write } : {}),
              attempts: opts.attempts,
              dryRun: opts.dryRun === true,
              graceMs: 5000,
            }),
          );
          return;
        }
        const { planCommand } = await import('./commands/plan.js');
        setExit(
          await planCommand({
            ...commonOptions(opts),
            phases: typeof opts.write === 'string' ? [...phases, opts.write] : phases,
            json: opts.json === true,
            write: opts.write !== undefined,
            strictScopes: opts.strictScopes === true,
          }),
        );
      },
    );

  withCommonOptions(program.command('graph'))
    .description('print the compiled graph: nodes (task, gate, fix, checkpoint) and the edges between them')
    .argument('[phases...]', 'only these phases and what they need (default: the whole graph)')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot', 'json']).default('mermaid'))
    .option('--strict-scopes', 'treat tasks with overlapping scopes as an error instead of ordering them')
    .action(async (phases: string[], opts: { cwd?: string; config?: string; cache?: boolean; format: 'mermaid' | 'dot' | 'json'; strictScopes?: boolean }) => {
      const { graphCommand } = await import('./commands/graph.js');
      setExit(await graphCommand({ ...commonOptions(opts), phases, format: opts.format, strictScopes: opts.strictScopes === true }));
    });

  registerCheckCommand(program, setExit);

  withCommonOptions(program.command('export'))
    .description(
      "write the gates (and with --phases, the phases) as a CI workflow: one job per gate, needs: as in the graph, cached by orchestra's fingerprints",
    )
    .argument('[target]', 'github-actions')
    .option('--out <file>', "where to write it ('-': stdout; default: .github/workflows/orchestra.yml)")
    .option('--phases', 'also a job per phase of agent work, started by hand (workflow_dispatch)')
    .option('--shard <gate=n>', 'fan a rule gate out over n matrix jobs; repeat for several', collectShard)
    .option('--branch <name>', "a branch whose pushes run the gates (default: origin's default branch, else main); repeat for several", collectList)
    .option('--setup <file>', 'a YAML list of steps every job runs after installing (a Python, a service): the generated file is not for editing')
    .option('--check', 'fail (exit 1) when a workflow orchestra wrote is not what exporting now would write')
    .action(
      async (
        target: string | undefined,
        opts: {
          cwd?: string;
          config?: string;
          cache?: boolean;
          out?: string;
          phases?: boolean;
          shard?: Record<string, number>;
          branch?: string[];
          setup?: string;
          check?: boolean;
        },
      ) => {
        const { exportCommand } = await import('./commands/export.js');
        setExit(
          await exportCommand({
            ...commonOptions(opts),
            ...(target !== undefined ? { target } : {}),
            ...(opts.out !== undefined ? { out: opts.out } : {}),
            phases: opts.phases === true,
            shards: opts.shard ?? {},
            branches: opts.branch ?? [],
            ...(opts.setup !== undefined ? { setup: opts.setup } : {}),
            check: opts.check === true,
          }),
        );
      },
    );

  program
    .command('rules')
    .description('list every builtin rule with its description, default files and options')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { rulesCommand } = await import('./commands/catalog.js');
      setExit(rulesCommand(opts.json === true));
    });
  program
    .command('presets')
    .description('list the builtin presets and the gates, rules and hooks each adds')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { presetsCommand } = await import('./commands/catalog.js');
      setExit(await presetsCommand(opts.json === true));
    });

  const hooks = program.command('hooks').description('install or remove git hooks that run the gates listed under hooks: in the config');
  for (const action of ['install', 'uninstall'] as const) {
    withCommonOptions(hooks.command(action))
      .description(
        action === 'install'
          ? 'write a git hook for every list under hooks: (respects core.hooksPath and husky)'
          : 'remove the hooks orchestra wrote, and only those',
      )
      .option('-f, --force', action === 'install' ? 'replace a hook that orchestra did not write' : 'no effect; uninstall never removes hooks it did not write')
      .action(async (opts: { cwd?: string; config?: string; cache?: boolean; force?: boolean }) => {
        const { hooksCommand } = await import('./commands/hooks.js');
        setExit(await hooksCommand(action, { ...commonOptions(opts), force: opts.force === true }));
      });
  }
}
