import { Option, type Command } from 'commander';
import type { ReporterChoice } from '../session/reporters.js';
import { collectReporter, duration, port, positiveInt } from './option-parsers.js';
import type { CommonOptions } from './exit-codes.js';
import type { RunOptions } from './commands/run.js';

/** Sets the process's exit code once a command has run. */
export type SetExit = (code: number) => void;

/** --config, --cwd, --no-cache: every command that reads the config has them. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option('--config <path>', 'config file to use instead of searching from --cwd upwards')
    .option('--cwd <dir>', 'directory to run in (default: the current directory)')
    .option('--no-cache', 'read every file afresh instead of using .orchestra/cache');
}

export function commonOptions(opts: { cwd?: string; config?: string; cache?: boolean }): CommonOptions {
  return { cwd: opts.cwd ?? process.cwd(), cache: opts.cache !== false, ...(opts.config !== undefined ? { config: opts.config } : {}) };
}

/**
 * What `check`, `run` and `resume` share: how many at once, after a failure,
 * output, a time limit (`timeout` says for what), stopping.
 */
export function withWorkOptions(cmd: Command, what: { nodes: string; timeout: string }): Command {
  return (
    withCommonOptions(cmd)
      .option('--concurrency <n>', `how many ${what.nodes} run at once (default: config, else CPU cores)`, positiveInt)
      .option('--keep-going', 'after a failure, still run everything that does not depend on it')
      .option('--reporter <name>', 'pretty (default), json, github, junit[=FILE], sarif[=FILE]; repeat for several', collectReporter)
      .option('--timeout <duration>', what.timeout, duration)
      // The default is said as a duration (5s), as the flag takes it, not as commander's milliseconds.
      .addOption(new Option('--kill-grace <duration>', 'how long a stopped process gets between SIGTERM and SIGKILL').argParser(duration).default(5000, '5s'))
  );
}

/** `--port`: 0 asks the system for a free port, and the help says so once (commander alone would add "(default: 0)"). */
export function portOption(what: string): Option {
  return new Option('--port <n>', what).argParser(port).default(0, 'a free one');
}

/** What `run` and `resume` add: the dashboard. */
export function withRunOptions(cmd: Command): Command {
  return withWorkOptions(cmd, { nodes: 'nodes', timeout: 'time limit of one agent attempt where team.json and the task set none (default 30m)' })
    .option('--ui', 'also serve the live dashboard for this run on 127.0.0.1 (its address is the first line printed)')
    .addOption(portOption('with --ui: the port'));
}

export type RunCliOptions = CheckCliOptions & { ui?: boolean; port: number };

export function runOptions(opts: RunCliOptions, phases: string[]): RunOptions {
  return {
    ...commonOptions(opts),
    phases,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    keepGoing: opts.keepGoing === true,
    reporters: opts.reporter ?? [],
    graceMs: opts.killGrace,
    ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
    ...(opts.ui ? { ui: { port: opts.port } } : {}),
  };
}

export interface CheckCliOptions {
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
