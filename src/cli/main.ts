import type { Command } from 'commander';
import type { SetExit } from './common-options.js';
import { runProgram } from './program.js';
import { registerGateCommands } from './register-gates.js';
import { registerMcpCommands } from './register-mcp.js';
import { registerRunCommands } from './register-runs.js';
import { registerWatchCommands } from './register-watch.js';

/**
 * The command line. Only commander is loaded at start-up: each command's
 * module (and the config loader, yaml, ajv…) is imported when that command
 * runs, so `orchestra --version` stays fast. `orchestra check` is started
 * from its own entry (check-main.ts) by bin/orchestra.js.
 */
function registerAll(program: Command, setExit: SetExit): void {
  registerGateCommands(program, setExit);
  registerRunCommands(program, setExit);
  registerWatchCommands(program, setExit);
  registerMcpCommands(program, setExit);
}

/** Runs the CLI and returns the exit code; never throws for anything a user can cause. */
export function main(argv: readonly string[]): Promise<number> {
  return runProgram(argv, registerAll);
}
