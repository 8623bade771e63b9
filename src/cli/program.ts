import { Command, CommanderError } from 'commander';
import { orchestraVersion } from '../util/version.js';
import { EXIT } from './exit-codes.js';
import type { SetExit } from './common-options.js';

/** Adds commands to the program; each command's module is imported when that command runs. */
export type Register = (program: Command, setExit: SetExit) => void;

/** The program with what every command shares (name, version, help, errors), and the commands `register` adds. */
export function buildProgram(setExit: SetExit, register: Register): Command {
  const program = new Command('orchestra')
    .description('A declarative, Make-like runner for gates and AI coding agents.')
    .version(orchestraVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError("(run 'orchestra --help' for usage)")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  register(program, setExit);
  return program;
}

/** Runs the command line with the commands `register` adds and returns the exit code; never throws for anything a user can cause. */
export async function runProgram(argv: readonly string[], register: Register): Promise<number> {
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
  }, register);
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
    const { mapStack, sourceMapOrigin } = await import('../logger/stack-map.js');
    const stack = err.stack === undefined ? String(err) : mapStack(err.stack, sourceMapOrigin());
    process.stderr.write(`orchestra: internal error (a bug in orchestra, please report it):\n${stack}\n`);
    return EXIT.internal;
  }
}
