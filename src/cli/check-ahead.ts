import type { Listing } from '../exec/file-index.js';

/** The repo's listing, asked before the check's code is loaded: for `root`, used by `check` only if it lists that folder early. */
export interface ListingAhead {
  readonly root: string;
  readonly listing: Promise<Listing | undefined>;
}

/**
 * Flags after which a check asks git nothing early (checkCommand: --no-cache,
 * --fix, --fingerprint), asks about another folder (--cwd, --config), or runs
 * nothing (help, version).
 */
const NOT_AHEAD = new Set(['--no-cache', '--fix', '--fingerprint', '--cwd', '--config', '-h', '--help', '-v', '--version']);

/**
 * Whether `orchestra check …` (argv as node gives it) will most likely list
 * the current folder early, so that the launcher may ask git before it loads
 * the check's code. Only a guess to save time: checkCommand decides whether
 * the answer is used, and a wasted listing costs a git call, never a result.
 * `stdinMayHoldRefs`: stdin is a pipe or a file, as when git runs a pre-push
 * hook: the refs it names make the hook probe the tree instead.
 */
export function listsAhead(argv: readonly string[], stdinMayHoldRefs: boolean): boolean {
  const args = argv.slice(3);
  if (args.some((a) => NOT_AHEAD.has(a.split('=')[0] as string))) return false;
  const at = args.indexOf('--hook');
  const hook = at === -1 ? args.find((a) => a.startsWith('--hook='))?.slice('--hook='.length) : args[at + 1];
  return !(hook === 'pre-push' && stdinMayHoldRefs);
}
