import { createInterface } from 'node:readline/promises';
import path from 'node:path';
import { error } from '../../config/diagnostic.js';
import { formatDiagnostics } from '../../logger/diagnostic-printer.js';
import { styleFor } from '../../logger/style.js';
import { EXIT, type CommonOptions } from '../exit-codes.js';
import { planFromRequest } from './plan-request.js';

export interface RunRequestOptions extends CommonOptions {
  readonly request?: string;
  readonly requestFile?: string;
  /** `--yes`: run the plan without asking. */
  readonly yes: boolean;
  readonly attempts: number;
  readonly graceMs: number;
}

/**
 * `run --request`: plan, show the plan, ask at a terminal (`--yes` does not
 * ask; with no terminal to ask at, `--yes` is required, before anything is
 * planned), then hand back the phases to run. A `code` ends the command.
 */
export async function planBeforeRun(opts: RunRequestOptions): Promise<{ phases: readonly string[]; request: string } | { code: number }> {
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  if (!opts.yes && !interactive) {
    const d = error("--request: there is no terminal to confirm the plan at; add --yes to run it without asking (or 'orchestra plan --request' to only plan)");
    process.stderr.write(`${formatDiagnostics([d], new Map(), process.cwd(), styleFor(process.stderr))}\n`);
    return { code: EXIT.usage };
  }
  const planned = await planFromRequest({ ...opts, dryRun: false });
  if (!planned.ok) return { code: planned.code };
  if (!opts.yes) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`run this plan (${planned.phases.join(', ')}) now? [y/N] `).finally(() => rl.close());
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stderr.write(
        `not run. The plan is in ${path.relative(process.cwd(), planned.planFile) || planned.planFile}: 'orchestra run ${planned.phases.join(' ')}' runs it.\n`,
      );
      return { code: EXIT.ok };
    }
  }
  return { phases: planned.phases, request: planned.request };
}
