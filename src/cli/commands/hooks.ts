import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOOK_NAMES, type HookName } from '../../config/types.js';
import { installHooks, uninstallHooks } from '../../hooks/install.js';
import { displayPath } from '../../logger/diagnostic-printer.js';
import { styleFor } from '../../logger/style.js';
import { EXIT, type CommonOptions } from '../exit-codes.js';
import { loadOrReport } from './validate.js';

const BIN = fileURLToPath(new URL('../../../bin/orchestra.js', import.meta.url));

export async function hooksCommand(action: 'install' | 'uninstall', opts: CommonOptions & { force: boolean }): Promise<number> {
  const { config } = await loadOrReport(opts);
  if (!config) return EXIT.usage;
  const style = styleFor(process.stdout);
  const cwd = path.resolve(opts.cwd);
  const configured = HOOK_NAMES.filter((h) => config.hooks[h]);
  try {
    if (action === 'uninstall') {
      for (const p of uninstallHooks(cwd, HOOK_NAMES)) {
        if (p.action === 'remove') process.stdout.write(`${style.green('removed')} ${displayPath(p.file, process.cwd())}\n`);
        if (p.action === 'keep-foreign' && configured.includes(p.hook as HookName))
          process.stdout.write(`kept ${displayPath(p.file, process.cwd())}: orchestra did not write it\n`);
      }
      return EXIT.ok;
    }
    if (configured.length === 0) {
      process.stderr.write("orchestra: error: the config has no 'hooks:' section; add e.g. 'hooks: { pre-push: [test] }'\n");
      return EXIT.usage;
    }
    const plans = installHooks(cwd, config.root, configured, BIN, opts.force);
    const foreign = plans.filter((p) => p.action === 'keep-foreign');
    if (foreign.length > 0) {
      for (const p of foreign) {
        process.stderr.write(
          `orchestra: error: ${displayPath(p.file, process.cwd())} exists and orchestra did not write it; nothing was changed.\n` +
            `  to chain, add this line to it:  npx orchestra check --hook ${p.hook}\n` +
            '  or replace it with --force\n',
        );
      }
      return EXIT.usage;
    }
    for (const p of plans) process.stdout.write(`${style.green('installed')} ${displayPath(p.file, process.cwd())} → orchestra check --hook ${p.hook}\n`);
    return EXIT.ok;
  } catch (e) {
    process.stderr.write(`orchestra: error: ${(e as Error).message.split('\n')[0]} (is ${cwd} inside a git repository?)\n`);
    return EXIT.usage;
  }
}
