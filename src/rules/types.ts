/**
 * A builtin rule: an id (`preset/name`), a description, default file globs,
 * an options schema, and a pure check: a file's path and text in, findings
 * out (with an optional fix as text edits).
 */
export interface TextEdit {
  /** Offsets into the file's text; start === end inserts. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface RawFinding {
  readonly start: number;
  readonly end: number;
  readonly message: string;
  readonly fix?: readonly TextEdit[];
}

/** The plain data of a declared (regex) rule: what crosses into a worker. */
export interface RuleSpec {
  readonly id: string;
  readonly pattern: string;
  readonly flags: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  readonly fix?: string;
}

export interface OptionSpec {
  readonly type: 'string[]' | 'boolean' | 'string';
  readonly description: string;
  readonly default: readonly string[] | boolean | string;
}

export interface BuiltinRule {
  readonly id: string;
  readonly description: string;
  readonly severity: 'error' | 'warning';
  readonly files: readonly string[];
  readonly exclude: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  check(file: string, text: string, options: Readonly<Record<string, unknown>>): RawFinding[];
  /**
   * A sound prefilter: strings of which a file must contain at least one for
   * `check` to find anything in it. The worker looks for their UTF-8 bytes in
   * the file before decoding it, and skips it (as checked, without findings)
   * when none is there. A rule returns only strings that `check` itself
   * requires, so the skip can never lose a finding.
   */
  needles?(options: Readonly<Record<string, unknown>>): readonly string[];
  /**
   * With `needles`: a finding needs one of them as the target of an
   * assignment or annotation that begins a Python logical line (`created_at =
   * …`, `created_at: Mapped[…]`), so a file in which each one stands
   * elsewhere (`row.created_at`, `"created_at"`) is skipped too.
   */
  readonly needlesAsTargets?: boolean;
  /** A rule about the repository as a whole (which files exist), given every file the gate selects. */
  checkFiles?(files: readonly string[], options: Readonly<Record<string, unknown>>): Array<{ readonly file: string; readonly message: string }>;
}

/** Options with defaults filled in. */
export function withDefaults(rule: BuiltinRule, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(rule.options)) out[key] = key in given ? given[key] : spec.default;
  return out;
}

/** Problems with a gate's `options:` for a rule: unknown keys and wrong types. */
export function optionProblems(rule: BuiltinRule, given: Readonly<Record<string, unknown>>): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  for (const [key, value] of Object.entries(given)) {
    const spec = rule.options[key];
    if (!spec) {
      const known = Object.keys(rule.options);
      problems.push({ key, message: `rule ${rule.id} has no option '${key}'${known.length ? ` (options: ${known.join(', ')})` : ''}` });
      continue;
    }
    const ok =
      spec.type === 'string[]'
        ? Array.isArray(value) && value.every((v) => typeof v === 'string')
        : spec.type === 'boolean'
          ? typeof value === 'boolean'
          : typeof value === 'string';
    if (!ok) problems.push({ key, message: `option '${key}' of ${rule.id} must be ${spec.type === 'string[]' ? 'a list of strings' : `a ${spec.type}`}` });
  }
  return problems;
}

/** A finding as reported: positioned in a file, with its rule and severity. */
export interface Finding {
  readonly rule: string;
  /** Relative to the repo root, forward slashes. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Text edits that fix it (offsets into the file as it was read), for `check --fix`. */
  readonly fix?: ReadonlyArray<{ readonly start: number; readonly end: number; readonly text: string }>;
}
