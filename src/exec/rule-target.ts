import type { Config, Gate } from '../config/types.js';
import { BUILTIN_RULES } from '../rules/registry.js';
import type { Job } from './worker.js';

/** What a rule gate runs, whichever kind of rule it names: its files, severity and the job for a worker. */
export interface RuleTarget {
  readonly id: string;
  readonly files: readonly string[];
  readonly exclude: readonly string[];
  readonly severity: 'error' | 'warning';
  /** Everything about the rule that changes its findings (for the cache fingerprint). */
  readonly definition: unknown;
  readonly spec: Extract<Job, { kind: 'rule' }>['rule'];
  /** Checks the file list as a whole (one job), not each file's text. */
  readonly wholeRepo: boolean;
}

export function ruleTarget(config: Config, gate: Gate): RuleTarget | undefined {
  if (!gate.rule) return undefined;
  const declared = config.rules.get(gate.rule.id);
  if (declared) {
    return {
      id: declared.id,
      files: declared.files,
      exclude: declared.exclude,
      severity: gate.severity ?? declared.severity,
      definition: [declared.pattern, declared.flags, declared.message, declared.fix ?? null],
      spec: {
        id: declared.id,
        pattern: declared.pattern,
        flags: declared.flags,
        message: declared.message,
        severity: gate.severity ?? declared.severity,
        ...(declared.fix !== undefined ? { fix: declared.fix } : {}),
      },
      wholeRepo: false,
    };
  }
  const builtin = BUILTIN_RULES.get(gate.rule.id);
  if (!builtin) return undefined;
  return {
    id: builtin.id,
    files: builtin.files,
    exclude: builtin.exclude,
    severity: gate.severity ?? builtin.severity,
    definition: ['builtin', gate.options],
    spec: { builtin: builtin.id, options: gate.options },
    wholeRepo: builtin.checkFiles !== undefined,
  };
}
