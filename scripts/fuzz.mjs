// `npm run fuzz`: the long fuzz run of `orchestra validate` (the short one is
// test/cli/fuzz.test.ts): more cases, and the costly ones (30 MB files, up to
// 100k gates, 5 MB strings, nesting to 5,000). Prints the figures; exits 1 if
// any case broke a promise: exit 0 or 2 only, a location on every 2, under
// 2 s, the heap under 300 MB.
// Usage: node scripts/fuzz.mjs [count] [seed]; FUZZ_LOG=file also writes each result as a JSON line.
import { appendFileSync } from 'node:fs';
import { fuzz } from '../test/fuzz/harness.mjs';

const count = Number(process.argv[2] ?? 1650);
const seed = Number(process.argv[3] ?? 20);
const t0 = Date.now();
let worst = 0;
const broken = [];
const out = await fuzz({
  seed,
  count,
  big: true,
  heapMB: 300,
  timeoutMs: 30_000,
  onResult: (r) => {
    worst = Math.max(worst, process.memoryUsage().rss / 1e6);
    if (process.env.FUZZ_LOG) appendFileSync(process.env.FUZZ_LOG, `${JSON.stringify({ ...r, stderr: r.stderr.slice(0, 200), rss: worst })}\n`);
    const ok = (r.code === 0 || (r.code === 2 && r.located)) && r.ms < 2000;
    if (!ok) {
      broken.push(r);
      process.stdout.write(
        `#${r.index} ${r.kind}: exit ${r.code} in ${Math.round(r.ms)} ms${r.located ? '' : ' (no location)'}: ${r.stderr.slice(0, 200).replace(/\n/g, ' | ')}\n`,
      );
    }
  },
});
/** @type {Record<string, number>} */
const kinds = {};
for (const r of out.results) kinds[r.kind] = Math.max(kinds[r.kind] ?? 0, Math.round(r.ms));
console.log(`cases: ${out.results.length} (seed ${seed})`);
console.log(`exit codes: ${JSON.stringify(out.codes)}`);
console.log(`slowest: #${out.slowest.index} ${out.slowest.kind} ${Math.round(out.slowest.ms)} ms; slowest per kind: ${JSON.stringify(kinds)}`);
console.log(`max heap: ${Math.round(out.maxHeapMB)} MB; max RSS of the process: ${Math.round(Math.max(worst, out.maxRssMB))} MB`);
console.log(`broken promises: ${broken.length}; wall time ${Math.round((Date.now() - t0) / 1000)} s`);
process.exitCode = broken.length ? 1 : 0;
