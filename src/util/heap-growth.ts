import { setFlagsFromString } from 'node:v8';

/** A user file at least this large (about 25,000 gates) bounds the heap's growth; smaller ones never pay for it. */
export const LARGE_INPUT_BYTES = 1024 * 1024;

/** How far the old generation may grow past what the last full collection kept, in percent (V8's own default lets it reach 4x). */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Whether it was bounded, kept where the check launcher (a module apart from the bundle that bounds it) can see
 * it too: V8 records its flags in a code cache, so a cache made after the flag changed would be rejected at every
 * later start (cli/check-launch.ts does not save one then).
 */
const BOUNDED = Symbol.for('orchestra.heap-growth-bounded');

export function heapGrowthBounded(): boolean {
  return (globalThis as Record<symbol, unknown>)[BOUNDED] === true;
}

/**
 * Keeps the heap near what is live when orchestra reads a very large input.
 * After each full collection V8 lets the old generation grow to up to four
 * times what survived before it collects again, and a short-lived process
 * that keeps allocating (100,000 gates with 300,000 mistakes explained and
 * printed) never reaches the next collection: its peak was 475 MB for less
 * than 250 MB live. At 1.5 times it peaks near 365 MB, for about a tenth more
 * CPU spent collecting. The flag is the process's from then on.
 */
export function boundHeapGrowth(bytes: number, setFlags: (flags: string) => void = setFlagsFromString): boolean {
  if (heapGrowthBounded() || bytes < LARGE_INPUT_BYTES) return false;
  (globalThis as Record<symbol, unknown>)[BOUNDED] = true;
  setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
