import { describe, expect, it } from 'vitest';
import { fuzz } from '../fuzz/harness.mjs';

/**
 * `orchestra validate` against mutated configs and team files (test/fuzz/):
 * a fixed seed, so a failure here is the same failure on every machine; its
 * index and kind say which case (`npm run fuzz` runs many more, and the
 * costly ones). In-process, in a worker thread with its heap capped at 300
 * MB, through the CLI's own main(): a process per case would spend the time
 * budget on node's start-up.
 */
describe('fuzzing validate', () => {
  it('250 cases: exit 0 or 2 only, a location on every 2, none over 2 s, the heap under 300 MB', { timeout: 180_000 }, async () => {
    const out = await fuzz({ seed: 20, count: 250, heapMB: 300, timeoutMs: 10_000 });
    const show = (r: (typeof out.results)[number]) => `#${r.index} ${r.kind}: exit ${String(r.code)} in ${Math.round(r.ms)} ms: ${r.stderr.slice(0, 300)}`;
    expect(out.results).toHaveLength(250);
    expect(out.results.filter((r) => r.code !== 0 && r.code !== 2).map(show)).toEqual([]);
    expect(out.results.filter((r) => r.code === 2 && !r.located).map(show)).toEqual([]);
    expect(out.results.filter((r) => !(r.ms < 2000)).map(show)).toEqual([]);
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    expect(out.codes['0']).toBeGreaterThan(20);
    expect(out.codes['2']).toBeGreaterThan(100);
  });
});
