import path from 'node:path';
import { error, type Diagnostic } from './diagnostic.js';
import type { Config, HookName } from './types.js';
import { HOOK_NAMES } from './types.js';

/**
 * A hook that lists a disabled gate cannot run that list: an error at the
 * hook's entry. `validate` checks every hook; `check --hook` the one it runs.
 */
export function disabledHookGates(config: Config, hooks: readonly HookName[] = HOOK_NAMES): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const hook of hooks) {
    for (const ref of config.hooks[hook] ?? []) {
      const gate = config.gates.get(ref.id);
      if (gate && !gate.enabled)
        out.push(
          error(
            `hook '${hook}' lists gate '${ref.id}', which is disabled ('enabled: false'): 'orchestra check --hook ${hook}' would refuse to run`,
            ref.loc,
            `enable it, or list the hook's gates without it in ${path.basename(config.file)} (hooks: { ${hook}: [...] })`,
          ),
        );
    }
  }
  return out;
}
