import type { Pattern } from '../../run/patterns.js';

/**
 * A learned fix's failure, as a person reads it. The signature is a key
 * (`gate|exit code|findings|output`), not a sentence: an exit code of null (a
 * timeout, a signal, findings alone) printed as `null`, and empty parts as
 * bare bars.
 */
export function describeFailure(signature: string): string {
  const [, exit = '', findings = '', ...rest] = signature.split('|');
  const output = rest
    .join('|')
    .split('\n')
    .find((l) => l.trim() !== '');
  const parts = [
    exit === 'null' || exit === '' ? undefined : `exit ${exit}`,
    findings ? `findings ${findings.split(';').slice(0, 3).join('; ')}` : undefined,
    output ? `output "${output.trim()}"` : undefined,
  ].filter((p): p is string => p !== undefined);
  return (parts.join(', ') || 'no exit code, findings or output recorded').slice(0, 200);
}

/** Entries of patterns.jsonl with every field a pattern has: a line some other writer left (`null`, a string) is not one. */
export function isPattern(p: unknown): p is Pattern {
  if (typeof p !== 'object' || p === null) return false;
  const r = p as Record<string, unknown>;
  return ['signature', 'gate', 'phase', 'runId', 'at', 'diff'].every((k) => typeof r[k] === 'string');
}
