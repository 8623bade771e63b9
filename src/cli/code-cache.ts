import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * A V8 code cache for a bundle (the check entry, dist/cli/check-main.cjs): the
 * bytecode V8 made for it the last time, so that the next start neither
 * parses nor compiles what it already did. Node 20 has no compile cache of
 * its own (module.enableCompileCache is Node 22), so the bundle is CommonJS,
 * run as a vm.Script with `cachedData`, as v8-compile-cache does.
 *
 * V8 checks a cache only against its own version, its flags and the source's
 * length, not the source itself: a cache made for another build of the same
 * length would run that build's code. So the file says which source (and
 * which node) it was made for, and carries a hash of its data: a truncated,
 * corrupt or foreign file is a miss, never handed to V8. The file lies under
 * node_modules/.cache, beside the package: whoever can write there can
 * replace orchestra's own files too, so a file that passes these checks is
 * trusted as much as the bundle it belongs to (see cacheFile).
 */

const MAGIC = Buffer.from('orchestra v8 cache 1\n', 'latin1');
const HASH_BYTES = 32;
const HEADER_BYTES = MAGIC.length + 2 * HASH_BYTES;

const sha256 = (...parts: (string | Buffer)[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** What a cache is valid for: this source (its bytes: hashing a string would encode it first), run by this node (`runtime`: its version and architecture). */
export function cacheKey(source: Buffer, runtime: string): Buffer {
  return sha256(runtime, '\0', source);
}

/** The file's bytes: the magic line, the key, the hash of V8's data, the data. */
export function encodeCache(key: Buffer, data: Buffer): Buffer {
  return Buffer.concat([MAGIC, key, sha256(data), data]);
}

/** V8's data from a cache file made for `key`; undefined for anything else (another source or node, a torn or edited file). */
export function decodeCache(file: Buffer, key: Buffer): Buffer | undefined {
  if (file.length <= HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (!file.subarray(MAGIC.length, MAGIC.length + HASH_BYTES).equals(key)) return undefined;
  const data = file.subarray(HEADER_BYTES);
  return file.subarray(MAGIC.length + HASH_BYTES, HEADER_BYTES).equals(sha256(data)) ? data : undefined;
}

/**
 * Where the cache of `bundle` (a file of the package at `pkgRoot`) lives:
 * node_modules/.cache/orchestra-gates, as other tools keep theirs (the
 * node_modules the package is installed in, or, in a checkout, its own), one
 * file per bundle location, rewritten when the bundle changes.
 */
export function cacheFile(bundle: string, pkgRoot: string): string {
  const parent = path.dirname(pkgRoot);
  const modules = path.basename(parent) === 'node_modules' ? parent : path.join(pkgRoot, 'node_modules');
  const name = `${path.basename(bundle).replace(/\W/g, '-')}-${sha256(bundle).toString('hex').slice(0, 16)}.v8`;
  return path.join(modules, '.cache', 'orchestra-gates', name);
}
