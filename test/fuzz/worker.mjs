// One fuzz worker: runs `orchestra validate` in this thread, as the CLI does
// (the built dist/cli/main.js), for each case the harness posts, and answers
// with the exit code, what was printed on stderr, the time and the heap.
import { parentPort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';

const { main } = await import(new URL('../../dist/cli/main.js', import.meta.url).href);

/** What is kept of a case's stderr: a location is at the start; the 64 MB that 300,000 mistakes print is not needed. */
const KEEP = 64 * 1024;
let stderr = '';
process.stdout.write = () => true;
process.stderr.write = (s) => {
  if (stderr.length < KEEP) stderr += String(s).slice(0, KEEP - stderr.length);
  return true;
};

parentPort.on('message', async ({ dir, args }) => {
  stderr = '';
  const t0 = performance.now();
  let code;
  try {
    code = await main(['node', 'orchestra', 'validate', '--no-cache', '--cwd', dir, ...args]);
  } catch (e) {
    code = 70;
    stderr += String(e?.stack ?? e);
  }
  const ms = performance.now() - t0;
  // main() adds its EPIPE listeners at every call; one case's are not the next one's.
  process.stdout.removeAllListeners('error');
  process.stderr.removeAllListeners('error');
  parentPort.postMessage({ code, stderr, ms, heapMB: getHeapStatistics().used_heap_size / 1e6, rssMB: process.memoryUsage().rss / 1e6 });
});
parentPort.postMessage({ ready: true });
