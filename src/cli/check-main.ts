import type { ListingAhead } from './check-ahead.js';
import { runProgram } from './program.js';
import { registerCheckCommand } from './register-check.js';

/**
 * `orchestra check …` alone: the same program (version, help, errors) with
 * only the check command. bin/orchestra.js starts a check here, from a bundle
 * of its own (scripts/build.mjs), so that a cached pre-push hook loads one
 * file, not the whole CLI's chunks. `ahead`: the repo's listing, asked by
 * the launcher before this was loaded (check-ahead.ts).
 */
export function main(argv: readonly string[], ahead?: ListingAhead): Promise<number> {
  return runProgram(argv, (program, setExit) => registerCheckCommand(program, setExit, ahead));
}
