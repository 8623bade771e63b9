// Runs fuzz cases through `orchestra validate` in a worker thread (one
// process, no start-up per case: a few hundred cases fit in `npm test`). The
// worker's heap is capped; a case that runs out of it, or out of time, ends
// the worker (the case is recorded as such) and a fresh one takes the next.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fuzzCases } from './generate.mjs';

/** Where a diagnostic names its place: file:line:col, or the flag. */
export const LOCATED = /^\S+:\d+:\d+: error|^orchestra: error: --[a-z-]+:/m;

/** The characters of a case's stderr that its result keeps (the worker passes up to 64 KB). */
export const KEPT_STDERR = 2000;

function startWorker(heapMB) {
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: heapMB }, stdout: true, stderr: true });
  const ready = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, ready };
}

function runOne(state, dir, args, timeoutMs) {
  return new Promise((resolve) => {
    const { worker } = state;
    const done = (result) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      resolve(result);
    };
    const onMessage = (m) => done(m);
    const onError = (e) => done({ code: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out-of-memory' : 'crash', stderr: String(e), ms: NaN, dead: true });
    const timer = setTimeout(() => done({ code: 'timeout', stderr: '', ms: timeoutMs, dead: true }), timeoutMs);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage({ dir, args });
  });
}

/**
 * Runs `count` cases from `seed`. Returns every result and the figures:
 * exit codes, the slowest case, the most heap and RSS seen.
 */
export async function fuzz({ seed, count, big = false, heapMB = 300, timeoutMs = 20_000, onResult = () => {} }) {
  const root = mkdtempSync(path.join(tmpdir(), 'orchestra-fuzz-'));
  let state = startWorker(heapMB);
  await state.ready;
  const results = [];
  try {
    for (const c of fuzzCases(seed, count, big)) {
      const dir = path.join(root, String(c.index));
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(c.files)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), text);
      }
      // Written: the text (up to 30 MB) is not held while the case runs.
      c.files = undefined;
      if (c.fifo) execFileSync('mkfifo', [path.join(dir, c.fifo)]);
      const r = await runOne(
        state,
        dir,
        c.args.map((a) => (a.startsWith('./') ? path.join(dir, a) : a)),
        timeoutMs,
      );
      // Only the start of stderr is kept in the results: a long run holds every result until it ends.
      const result = { index: c.index, kind: c.kind, ...r, stderr: r.stderr.slice(0, KEPT_STDERR), located: LOCATED.test(r.stderr) };
      results.push(result);
      onResult(result);
      if (r.dead) {
        await state.worker.terminate();
        state = startWorker(heapMB);
        await state.ready;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await state.worker.terminate();
    rmSync(root, { recursive: true, force: true });
  }
  /** @type {Record<string, number>} */
  const codes = {};
  for (const r of results) codes[r.code] = (codes[r.code] ?? 0) + 1;
  const slowest = results.reduce((a, b) => ((b.ms || 0) > (a?.ms || 0) ? b : a), undefined);
  return {
    results,
    codes,
    slowest,
    maxHeapMB: Math.max(...results.map((r) => r.heapMB ?? 0)),
    maxRssMB: Math.max(...results.map((r) => r.rssMB ?? 0)),
  };
}
