import type { GateFailure } from '../run/fix-prompt.js';
import { failureSignature } from '../run/fix-prompt.js';
import type { Pattern } from '../run/patterns.js';

/** How many earlier fixes of the same gate (but another failure) are shown: they may help, they may mislead. */
const RELATED_SHOWN = 2;

export interface Suggestions {
  /** Fixes of this very failure (same signature as the fix loop matches), newest first. */
  readonly exact: readonly Pattern[];
  /** Fixes of other failures of the same gate, newest first. */
  readonly related: readonly Pattern[];
}

/** The learned fixes for a failure: the fix loop's match (the signature), then a few of the same gate's. Pure. */
export function suggestionsFor(patterns: readonly Pattern[], failure: GateFailure): Suggestions {
  const signature = failureSignature([failure]);
  const newest = [...patterns].reverse();
  return {
    exact: newest.filter((p) => p.signature === signature),
    related: newest.filter((p) => p.gate === failure.gate && p.signature !== signature).slice(0, RELATED_SHOWN),
  };
}

/** The answer to `fix_suggestion`, as text. Pure. */
export function formatSuggestions(failure: GateFailure, s: Suggestions): string {
  const diff = (p: Pattern): string => `from run ${p.runId} (phase ${p.phase}, ${p.at}):\n\`\`\`diff\n${p.diff.trim()}\n\`\`\``;
  const lines = [`gate ${failure.gate} fails: ${failure.message}`];
  if (s.exact.length) lines.push('This same failure was fixed before by this change; it may apply again:', diff(s.exact[0] as Pattern));
  else lines.push('No learned fix matches this failure exactly.');
  if (s.related.length) lines.push('Earlier fixes of other failures of the same gate (for reference only):', ...s.related.map(diff));
  if (!s.exact.length && !s.related.length) lines.push('Nothing was learned for this gate yet: fix it from its findings and output (check_gate shows them).');
  return lines.join('\n');
}
