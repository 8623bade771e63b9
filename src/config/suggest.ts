import { createRequire } from 'node:module';

/** Loaded on the first suggestion: a config without mistakes never needs it (one module less on every start). */
let levenshtein: typeof import('fastest-levenshtein') | undefined;
const distance = (a: string, b: string): number =>
  (levenshtein ??= createRequire(import.meta.url)('fastest-levenshtein') as typeof import('fastest-levenshtein')).distance(a, b);

/** The closest candidate, when it is close enough that a typo is the likely cause. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/**
 * The one candidate `word` begins (`claude` for `claude-code`): a name cut
 * short is as likely as a typo, and too far in edits for `closest`.
 */
export function extending(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length < 3) return undefined;
  const lower = word.toLowerCase();
  const hits = [...candidates].filter((c) => c.toLowerCase().startsWith(lower) && c.length > word.length);
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * Past this many candidates no hint is looked for: each hint costs an edit
 * distance per candidate, and a config with 100,000 gates and as many unknown
 * names would spend minutes on hints (validation must stay linear).
 */
export const MAX_HINT_CANDIDATES = 1000;

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  // Counted before copying: copying 100,000 names for each of 100,000 unknown names is itself quadratic.
  const size = Array.isArray(candidates) ? candidates.length : candidates instanceof Set || candidates instanceof Map ? candidates.size : undefined;
  if (size !== undefined && size > MAX_HINT_CANDIDATES) return undefined;
  const all = [...candidates];
  if (all.length > MAX_HINT_CANDIDATES) return undefined;
  const match = closest(word, all) ?? extending(word, all);
  return match === undefined ? undefined : `did you mean '${match}'?`;
}
