import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Workspace } from '../workspace/layout.js';
import path from 'node:path';
import { seal, unseal } from '../util/seal.js';
import { userCacheKey } from '../util/user-cache-key.js';
import { writeFileAtomic } from '../util/write-atomic.js';
import { exportLocated, importLocated } from './located.js';

/**
 * Parsed config files by content hash, positions included. Parsing YAML is
 * the slowest part of loading a large config (the yaml package is cold on
 * every start), and a pre-push hook loads the same unchanged files each time.
 * Only files that parsed without a single diagnostic are stored.
 *
 * An entry holds the commands `check` runs, so it must never say more than
 * its source does: each is sealed with an HMAC under the user's cache key
 * (see `user-cache-key.ts`), over the entry's name (the hash of the source
 * text, orchestra's version and the file kind) and its payload. An entry that
 * does not verify is a miss: the file is parsed and the entry written again.
 * This stops a planted or edited entry from anyone who cannot read the key: a
 * cloned repo carrying `.orchestra/cache/`, another user, an agent in the
 * sandbox (which cannot write `.orchestra/` at all anyway). It does not stop
 * an agent run with `sandbox: off`: it runs as the user, can read the key and
 * seal its own entry, as it can edit anything else the user can (a shell rc
 * file, orchestra itself). A sound defence there is the sandbox, not a cache
 * scheme; re-parsing every time would remove the cache's reason to exist.
 */
export interface ParseCache {
  get(file: string, text: string): unknown;
  set(file: string, text: string, value: unknown): void;
}

/** 2: sealed entries. */
const FORMAT = 2;
/** Entries kept; older ones (by last write) go when a new one is stored. */
const KEEP = 64;

export const noParseCache: ParseCache = { get: () => undefined, set: () => undefined };

/** The parse cache of a workspace; none when there is no key to seal entries with. */
export function openParseCache(ws: Workspace, version: string, key: Buffer | undefined = userCacheKey()): ParseCache {
  if (key === undefined) return noParseCache;
  const dir = ws.parseCacheDir;
  const keyOf = (file: string, text: string): string =>
    createHash('sha256')
      .update(`${FORMAT}\0${version}\0${path.extname(file)}\0${path.basename(file) === 'package.json'}\0`)
      .update(text)
      .digest('hex');
  return {
    get(file, text) {
      try {
        const name = keyOf(file, text);
        const payload = unseal(key, name, readFileSync(path.join(dir, `${name}.json`), 'utf8'));
        if (payload === undefined) return undefined; // not sealed by this user's orchestra for this text: parse instead
        return importLocated(JSON.parse(payload) as Parameters<typeof importLocated>[0], file);
      } catch {
        return undefined; // missing or unreadable: parse instead
      }
    },
    set(file, text, value) {
      try {
        if (!existsSync(dir)) {
          ws.ensure();
          mkdirSync(dir, { recursive: true });
        }
        const name = keyOf(file, text);
        writeFileAtomic(path.join(dir, `${name}.json`), seal(key, name, JSON.stringify(exportLocated(value))));
        prune(dir);
      } catch {
        // A cache that cannot be written (read-only checkout) only costs speed.
      }
    },
  };
}

function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  if (names.length <= KEEP) return;
  const byAge = names.map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { n } of byAge.slice(0, names.length - KEEP)) rmSync(path.join(dir, n), { force: true });
}
