/**
 * A problem the user can cause is a value, never a throw. It carries the file
 * and an offset range; line, column and the underline are worked out only when
 * it is printed (see logger/diagnostic-printer.ts).
 */
export interface Loc {
  /** Absolute path of the file. */
  readonly file: string;
  /** Offsets into the file's text, end exclusive. A file without positions (a JS config) uses 0..0. */
  readonly start: number;
  readonly end: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  /** Missing only for problems that belong to no file (a flag, a missing config). */
  readonly loc?: Loc;
  /** A second line such as "did you mean 'typecheck'?". */
  readonly hint?: string;
  /** Other places that explain this one ("first defined here", the edges of a cycle). */
  readonly related?: readonly Related[];
}

export interface Related {
  readonly loc: Loc;
  readonly message: string;
}

export type Result<T> =
  { readonly ok: true; readonly value: T; readonly warnings: readonly Diagnostic[] } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export function error(message: string, loc?: Loc, hint?: string): Diagnostic {
  return { severity: 'error', message, ...(loc ? { loc } : {}), ...(hint ? { hint } : {}) };
}

export function withRelated(d: Diagnostic, ...related: Related[]): Diagnostic {
  return { ...d, related: [...(d.related ?? []), ...related] };
}

export function warning(message: string, loc?: Loc, hint?: string): Diagnostic {
  return { severity: 'warning', message, ...(loc ? { loc } : {}), ...(hint ? { hint } : {}) };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorts by file then offset so that output is stable whatever order the checks ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.loc?.file ?? '';
    const fb = b.loc?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.loc?.start ?? 0) - (b.loc?.start ?? 0);
  });
}
