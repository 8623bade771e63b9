import { runProgram } from './program.js';
import { registerCheckCommand } from './register-check.js';

/**
 * `orchestra check …` alone: the same program (version, help, errors) with
 * only the check command. bin/orchestra.js starts a check here, from a bundle
 * of its own (scripts/build.mjs), so that a cached pre-push hook loads one
 * file, not the whole CLI's chunks.
 */
export function main(argv: readonly string[]): Promise<number> {
  return runProgram(argv, registerCheckCommand);
}
