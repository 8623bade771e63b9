import { fstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { askListing } from '../exec/file-index.js';
import { listsAhead, type ListingAhead } from './check-ahead.js';
import { heapGrowthBounded } from '../util/heap-growth.js';
import { cacheFile, cacheKey, decodeCache, encodeCache } from './code-cache.js';

type CheckMain = (argv: readonly string[], ahead?: ListingAhead) => Promise<number>;

/**
 * `orchestra check …`, started by bin/orchestra.js: the check entry's bundle
 * (dist/cli/check-main.cjs, one file) run with its V8 code cache (code-cache.ts).
 * A cached pre-push hook spent about a third of its time loading and
 * compiling the CLI's chunks. The cache is made after the first run (when
 * the code that ran is compiled) and again whenever it cannot be used.
 */
export async function main(argv: readonly string[]): Promise<number> {
  // git lists the repo (tens of ms on 5,000 files) while node reads and compiles the bundle and the config; not
  // when ORCHESTRA_SKIP=1 will skip the hook at once.
  const skip = process.env['ORCHESTRA_SKIP'] === '1';
  const ahead = !skip && listsAhead(argv, stdinMayHoldRefs()) ? { root: process.cwd(), listing: askListing(process.cwd()) } : undefined;
  const bundle = fileURLToPath(new URL('./check-main.cjs', import.meta.url));
  const bytes = readFileSync(bundle);
  const key = cacheKey(bytes, `${process.version} ${process.arch}`);
  const source = bytes.toString('utf8');
  const file = cacheFile(bundle, path.resolve(path.dirname(bundle), '..', '..'));
  const cached = readCache(file, key);
  // The bundle is CommonJS's wrapper around the code (scripts/bundle.mjs), with __orchestraImport added: its
  // import()s call that, as a script from a code cache cannot import.
  const script = new vm.Script(source, { filename: bundle, ...(cached ? { cachedData: cached } : {}) });
  const mod = { exports: {} as { main?: CheckMain } };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle), importHere);
  const code = await (mod.exports.main as CheckMain)(argv, ahead);
  // Not after a very large input changed V8's flags (util/heap-growth.ts): V8 would reject that cache at every start.
  if ((!cached || script.cachedDataRejected === true) && !heapGrowthBounded()) save(file, encodeCache(key, script.createCachedData()));
  await exitWhenWritten(code, ahead);
  return code;
}

/**
 * Ends the process once the check is done: its output written, the git call asked ahead answered (no git is
 * left behind), everything else already awaited by the check (records and logs are written synchronously, the
 * gate cache flushed, the pool and the spawner stopped). Left to itself, node would first run the garbage
 * collection V8 scheduled on the way (a scavenge of the bundle's start-up garbage): 10-30 ms of a cached hook.
 */
async function exitWhenWritten(code: number, ahead: ListingAhead | undefined): Promise<void> {
  await ahead?.listing;
  // A write's callback comes after the writes before it: on a pipe that is not synchronous (macOS), the output is out.
  await new Promise<void>((resolve) => process.stdout.write('', () => process.stderr.write('', () => resolve())));
  process.exit(code);
}

/** A cache is a few hundred KB; anything much larger is not one that was written here. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/** V8's data for `key` from the cache file; undefined when there is none, it is not a plain file of a sane size (a FIFO would hang the read), or it does not fit. */
function readCache(file: string, key: Buffer): Buffer | undefined {
  try {
    const st = statSync(file);
    return st.isFile() && st.size <= MAX_CACHE_BYTES ? decodeCache(readFileSync(file), key) : undefined;
  } catch {
    return undefined; // none yet, or unreadable: compiled from the source
  }
}

/** Whether stdin is a pipe or a file (what git gives a pre-push hook), not a terminal or /dev/null. */
function stdinMayHoldRefs(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isFile() || st.isSocket();
  } catch {
    return false; // no stdin at all
  }
}

/** An import() for the bundle, from this module: beside it in dist/cli/, so a package name resolves the same. */
const importHere = (specifier: string): Promise<unknown> => import(specifier);

/** Written whole or not at all (another check may be reading it); a folder that cannot be written costs only the cache. */
function save(file: string, bytes: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing was written, or it cannot be removed either: the next save overwrites it
    }
  }
}
