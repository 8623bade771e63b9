import path from 'node:path';
import { error, type Diagnostic } from '../../config/diagnostic.js';
import type { Config } from '../../config/types.js';
import type { AgentSandbox } from '../../sandbox/sandbox.js';
import { unreachable } from '../../util/unreachable.js';

/**
 * The sandbox every agent of this run starts in: undefined when there is none
 * (off, or unavailable under `auto`: said once on stderr), null when the
 * config requires one that this machine cannot give (said; exit 2).
 */
export async function sandboxFor(config: Config, print: (ds: Diagnostic[]) => void): Promise<AgentSandbox | undefined | null> {
  if (config.sandbox.mode === 'off') return undefined;
  const { sandboxAvailability } = await import('../../sandbox/availability.js');
  const { decideSandbox } = await import('../../sandbox/decide.js');
  const decision = decideSandbox(config.sandbox, await sandboxAvailability());
  switch (decision.kind) {
    case 'off':
      return undefined;
    case 'use': {
      const { BwrapSandbox } = await import('../../sandbox/sandbox.js');
      return new BwrapSandbox(decision.bin, config.sandbox.writable);
    }
    case 'warn':
      process.stderr.write(`orchestra: warning: ${decision.message}\n`);
      return undefined;
    case 'refuse':
      print([
        config.sandbox.loc
          ? error(decision.message, config.sandbox.loc)
          : error(`${path.relative(process.cwd(), config.file) || config.file}: ${decision.message}`),
      ]);
      return null;
    default:
      return unreachable(decision);
  }
}
