/** The exit codes of the CLI contract (DESIGN.md), plus 70 for a bug in orchestra itself. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70, interrupted: 130 } as const;

export interface CommonOptions {
  cwd: string;
  config?: string;
  /** false with --no-cache. */
  cache: boolean;
}
