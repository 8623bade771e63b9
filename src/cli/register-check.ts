import type { Command } from 'commander';
import type { ListingAhead } from './check-ahead.js';
import { commonOptions, withWorkOptions, type CheckCliOptions, type SetExit } from './common-options.js';

/**
 * `orchestra check`: registered by the whole CLI (register-gates.ts) and, alone, by the check entry
 * (check-main.ts), so that both parse a check's command line the same way.
 */
export function registerCheckCommand(program: Command, setExit: SetExit, ahead?: ListingAhead): void {
  withWorkOptions(program.command('check'), { nodes: 'gates', timeout: 'time limit for gates without a timeout of their own (e.g. 90s, 5m)' })
    .description('run the top-level gates (all, or the named ones and what they need); cached where inputs are unchanged')
    .argument('[gates...]', 'only these gates and what they need (default: all)')
    .option('--hook <name>', 'run the gates listed under hooks.<name> (ORCHESTRA_SKIP=1 skips)')
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
          ...(ahead !== undefined ? { ahead } : {}),
        }),
      );
    });
}
