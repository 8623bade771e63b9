import type { Command } from 'commander';
import { commonOptions, portOption, withCommonOptions, type SetExit } from './common-options.js';
import { anId } from './option-parsers.js';

/** Looking after runs: list, status, logs, report, abort, serve. */
export function registerWatchCommands(program: Command, setExit: SetExit): void {
  withCommonOptions(program.command('list'))
    .description('recent runs with their outcome and duration')
    .action(async (opts: { cwd?: string; config?: string; cache?: boolean }) => {
      const { listCommand } = await import('./commands/watch.js');
      setExit(await listCommand(commonOptions(opts)));
    });

  withCommonOptions(program.command('status'))
    .description("a run's nodes: state, agent, attempt, elapsed; and what it has spent")
    .argument('[run-id]', 'the run (default: the latest)', anId)
    .option('-w, --watch', 'refresh every second while the run works')
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean; watch?: boolean }) => {
      const { statusCommand } = await import('./commands/watch.js');
      setExit(await statusCommand({ ...commonOptions(opts), watch: opts.watch === true, ...(runId ? { runId } : {}) }));
    });

  withCommonOptions(program.command('logs'))
    .description(
      "a task's or gate's output: for an agent, its transcript (messages, tool calls, edits as diffs, final answer, cost); -f follows it while the run goes on",
    )
    .argument('<node>', 'a task or gate name, or phase/name')
    .option('--run <run-id>', 'the run (default: the latest)', anId)
    .option('-f, --follow', 'keep printing while the run is working')
    .option('--raw', "the agent's output as it printed it, instead of its transcript")
    .option('--events', "the agent's normalized events (messages, tool use) as JSON lines")
    .action(async (node: string, opts: { cwd?: string; config?: string; cache?: boolean; run?: string; follow?: boolean; events?: boolean; raw?: boolean }) => {
      const { logsCommand } = await import('./commands/watch.js');
      setExit(
        await logsCommand({
          ...commonOptions(opts),
          node,
          follow: opts.follow === true,
          events: opts.events === true,
          raw: opts.raw === true,
          ...(opts.run ? { runId: opts.run } : {}),
        }),
      );
    });

  withCommonOptions(program.command('report'))
    .description("print a run's report")
    .argument('[run-id]', 'the run (default: the latest)', anId)
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
    .argument('[run-id]', 'the run to open (default: the latest)', anId)
    .addOption(portOption('the port to listen on'))
    .action(async (runId: string | undefined, opts: { cwd?: string; config?: string; cache?: boolean; port: number }) => {
      const { serveCommand } = await import('./commands/serve.js');
      setExit(await serveCommand({ ...commonOptions(opts), port: opts.port, ...(runId ? { runId } : {}) }));
    });
}
