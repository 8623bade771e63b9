/** The exit codes of the CLI contract (DESIGN.md), plus 70 for a bug in orchestra itself. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 70, interrupted: 130 } as const;

/** A usage error said on stderr (with how to fix it, when there is a hint); the exit code to return. */
export function usageFailure(message: string, hint?: string): number {
  process.stderr.write(`orchestra: error: ${message}\n${hint ? `  ${hint}\n` : ''}`);
  return EXIT.usage;
}

export interface CommonOptions {
  cwd: string;
  config?: string;
  /** false with --no-cache. */
  cache: boolean;
}
