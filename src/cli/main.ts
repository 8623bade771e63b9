import { Command, CommanderError, Option } from 'commander';
import type { ReporterChoice } from '../session/reporters.js';
import { collectList, collectReporter, collectShard, duration, port, positiveInt } from './option-parsers.js';
import { orchestraVersion } from '../util/version.js';
import { EXIT, type CommonOptions } from './exit-codes.js';
import type { RunOptions } from './commands/run.js';

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

/** What `run` and `resume` share: how many at once, after a failure, output, stopping, the dashboard. */
function withRunOptions(cmd: Command): Command {
  return withCommonOptions(cmd)
    .option('--concurrency <n>', 'how many nodes run at once (default: config, else CPU cores)', positiveInt)
    .option('--keep-going', 'after a failure, still run everything that does not depend on it')
    .option('--reporter <name>', 'pretty (default) or json; repeat for both', collectReporter)
    .option('--kill-grace <duration>', 'how long a stopped agent gets between SIGTERM and SIGKILL', duration, 5000)
    .option('--ui', 'also serve the live dashboard for this run on 127.0.0.1 (its address is the first line printed)')
    .option('--port <n>', 'with --ui: the port (default: a free one)', port, 0);
}

type RunCliOptions = CheckCliOptions & { ui?: boolean; port: number };

function runOptions(opts: RunCliOptions, phases: string[]): RunOptions {
  return {
    ...commonOptions(opts),
    phases,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    keepGoing: opts.keepGoing === true,
    reporters: opts.reporter ?? [],
    graceMs: opts.killGrace,
    ...(opts.ui ? { ui: { port: opts.port } } : {}),
  };
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
    .description('load and validate the config and team, and compile the graph; print every problem at its file:line:column')
    .option('--strict-scopes', 'treat tasks with overlapping scopes as an error, as plan --strict-scopes does')
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean; strictScopes?: boolean }) => {
      const { validateCommand } = await import('./commands/validate.js');
      setExit(await validateCommand({ ...commonOptions(opts), strictScopes: opts.strictScopes === true }));
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
      setExit(
        await planCommand({ ...commonOptions(opts), phases, json: opts.json === true, write: opts.write === true, strictScopes: opts.strictScopes === true }),
      );
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

  withCommonOptions(program.command('check'))
    .description('run the top-level gates (all, or the named ones and what they need); cached where inputs are unchanged')
    .argument('[gates...]', 'only these gates and what they need (default: all)')
    .option('--hook <name>', 'run the gates listed under hooks.<name> (ORCHESTRA_SKIP=1 skips)')
    .option('--concurrency <n>', 'how many gates run at once (default: config, else CPU cores)', positiveInt)
    .option('--keep-going', 'after a failure, still run everything that does not depend on it')
    .option('--reporter <name>', 'pretty (default), json, github, junit[=FILE], sarif[=FILE]; repeat for several', collectReporter)
    .option('--timeout <duration>', 'time limit for gates without a timeout of their own (e.g. 90s, 5m)', duration)
    .option('--kill-grace <duration>', 'how long a stopped process gets between SIGTERM and SIGKILL', duration, 5000)
    .option('--fix', 'apply the fixes that rules offer (only to files the rule read), then check again')
    .option('--shard <i/n>', 'run one rule gate over a deterministic 1/n of its files (e.g. 2/4), for a CI matrix')
    .option('--no-needs', 'run only the named gates; what they need is taken as done (a CI job whose needs: ran it)')
    .option('--fingerprint', "print each gate's cache key ('<key>  <gate>'; '-' when never cached) and run nothing")
    .action(async (gates: string[], opts: CheckCliOptions & { shard?: string; needs: boolean; fingerprint?: boolean }) => {
      const { checkCommand } = await import('./commands/check.js');
      setExit(
        await checkCommand({
          ...commonOptions(opts),
          gates,
          ...(opts.hook !== undefined ? { hook: opts.hook } : {}),
          ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
          keepGoing: opts.keepGoing === true,
          reporters: opts.reporter ?? [],
          ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
          graceMs: opts.killGrace,
          fix: opts.fix === true,
          needs: opts.needs,
          fingerprint: opts.fingerprint === true,
          ...(opts.shard !== undefined ? { shard: opts.shard } : {}),
        }),
      );
    });

  withRunOptions(program.command('run'))
    .description('drive the team through the phases (all, or the named ones and what they need): worktrees, scopes, gates, fixes, checkpoints')
    .argument('[phases...]', 'only these phases and what they need (default: all)')
    .option('--no-needs', 'run only the named phases; the phases they need are taken as done (their work is in HEAD)')
    .option('--run-id <id>', 'name the run (and its branch orchestra/<id>) instead of a fresh id, e.g. in CI')
    .action(async (phases: string[], opts: RunCliOptions & { needs: boolean; runId?: string }) => {
      const { runCommand } = await import('./commands/run.js');
      setExit(await runCommand({ ...runOptions(opts, phases), needs: opts.needs, ...(opts.runId !== undefined ? { runId: opts.runId } : {}) }));
    });

  withRunOptions(program.command('resume'))
    .description('continue a run that did not finish (a crash, Ctrl-C, a failed phase) from its last checkpoint')
    .argument('[run-id]', 'the run (default: the latest that did not hold)')
    .action(async (runId: string | undefined, opts: RunCliOptions) => {
      const { resumeCommand } = await import('./commands/runs.js');
      setExit(await resumeCommand({ ...runOptions(opts, []), ...(runId ? { runId } : {}) }));
    });

  withCommonOptions(program.command('rollback'))
    .description("move a run's integration branch back to a phase's checkpoint")
    .argument('<phase>', 'the phase whose checkpoint to go back to')
    .option('--run <run-id>', 'the run (default: the latest with that checkpoint)')
    .action(async (phase: string, opts: { cwd?: string; config?: string; cache?: boolean; run?: string }) => {
      const { rollbackCommand } = await import('./commands/runs.js');
      setExit(await rollbackCommand({ ...commonOptions(opts), phase, ...(opts.run ? { runId: opts.run } : {}) }));
    });

  withCommonOptions(program.command('patterns'))
    .description('list the fixes orchestra learned: failures that a fix round turned green, with the change that did it')
    .option('--json', 'print them as JSON')
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean; json?: boolean }) => {
      const { patternsCommand } = await import('./commands/runs.js');
      setExit(await patternsCommand({ ...commonOptions(opts), json: opts.json === true }));
    });

  withCommonOptions(program.command('list'))
    .description('recent runs with their outcome and duration')
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean }) => {
      const { listCommand } = await import('./commands/watch.js');
      setExit(await listCommand(commonOptions(opts)));
    });

  withCommonOptions(program.command('status'))
    .description("a run's nodes: state, agent, attempt, elapsed; and what it has spent")
    .argument('[run-id]', 'the run (default: the latest)')
    .option('-w, --watch', 'refresh every second while the run works')
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean; watch?: boolean }) => {
      const { statusCommand } = await import('./commands/watch.js');
      setExit(await statusCommand({ ...commonOptions(opts), watch: opts.watch === true, ...(runId ? { runId } : {}) }));
    });

  withCommonOptions(program.command('logs'))
    .description("a task's or gate's output (-f follows it while the run goes on)")
    .argument('<node>', 'a task or gate name, or phase/name')
    .option('--run <run-id>', 'the run (default: the latest)')
    .option('-f, --follow', 'keep printing while the run is working')
    .option('--events', "the agent's normalized events (messages, tool use) instead of its raw output")
    .action(async (node: string, opts: { cwd?: string; config?: string; cache?: boolean; run?: string; follow?: boolean; events?: boolean }) => {
      const { logsCommand } = await import('./commands/watch.js');
      setExit(
        await logsCommand({
          ...commonOptions(opts),
          node,
          follow: opts.follow === true,
          events: opts.events === true,
          ...(opts.run ? { runId: opts.run } : {}),
        }),
      );
    });

  withCommonOptions(program.command('report'))
    .description("print a run's report")
    .argument('[run-id]', 'the run (default: the latest)')
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean }) => {
      const { reportCommand } = await import('./commands/watch.js');
      setExit(await reportCommand({ ...commonOptions(opts), ...(runId ? { runId } : {}) }));
    });

  withCommonOptions(program.command('abort'))
    .description('stop the run working in this repository, as Ctrl-C would (resumable)')
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean }) => {
      const { abortCommand } = await import('./commands/watch.js');
      setExit(await abortCommand(commonOptions(opts)));
    });

  withCommonOptions(program.command('serve'))
    .description("a live dashboard of this repo's runs in the browser, on 127.0.0.1 (the first line printed is its address)")
    .argument('[run-id]', 'the run to open (default: the latest)')
    .option('--port <n>', 'the port to listen on (default: a free one)', port, 0)
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean; port: number }) => {
      const { serveCommand } = await import('./commands/serve.js');
      setExit(await serveCommand({ ...commonOptions(opts), port: opts.port, ...(runId ? { runId } : {}) }));
    });

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

  withCommonOptions(program.command('apply'))
    .description("merge a run's integration branch into the current branch (only when the working tree is clean)")
    .argument('[run-id]', 'the run (default: the latest that held)')
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean }) => {
      const { applyCommand } = await import('./commands/runs.js');
      setExit(await applyCommand({ ...commonOptions(opts), ...(runId ? { runId } : {}) }));
    });

  withCommonOptions(program.command('clean'))
    .description("remove runs' worktrees and their merged branches")
    .argument('[run-id]', 'only this run (default: all)')
    .option('-f, --force', 'also delete branches with commits not merged into the current branch')
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean; force?: boolean }) => {
      const { cleanCommand } = await import('./commands/runs.js');
      setExit(await cleanCommand({ ...commonOptions(opts), force: opts.force === true, ...(runId ? { runId } : {}) }));
    });

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

  return program;
}

interface CheckCliOptions {
  cwd?: string;
  config?: string;
  cache?: boolean;
  hook?: string;
  concurrency?: number;
  keepGoing?: boolean;
  reporter?: ReporterChoice[];
  timeout?: number;
  killGrace: number;
  fix?: boolean;
}

/** Runs the CLI and returns the exit code; never throws for anything a user can cause. */
export async function main(argv: readonly string[]): Promise<number> {
  // `orchestra rules | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
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
