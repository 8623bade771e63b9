import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createExclusive } from './create-exclusive.js';

const KEY_BYTES = 32;

/**
 * Where the key that seals the caches in a repo's `.orchestra/` lives: in the
 * user's cache folder, outside every repository, so that neither a cloned
 * repo (which can carry a forced-in `.orchestra/cache/`) nor a process that
 * can write `.orchestra/` alone can make an entry orchestra will believe.
 * Undefined when there is no home to keep it in.
 */
export function cacheKeyFile(env: Readonly<Record<string, string | undefined>>, home: string | undefined): string | undefined {
  const xdg = env['XDG_CACHE_HOME'];
  // The XDG spec: a relative path is to be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'orchestra', 'cache-key');
  return home ? path.join(home, '.cache', 'orchestra', 'cache-key') : undefined;
}

let memo: { key: Buffer | undefined } | undefined;

/** This user's cache key (made once per process); undefined: do not cache. */
export function userCacheKey(): Buffer | undefined {
  memo ??= { key: loadCacheKey(cacheKeyFile(process.env, safeHomedir())) };
  return memo.key;
}

/**
 * Reads the key, or makes it on first use: 32 random bytes, mode 0600, in a
 * folder of mode 0700. Of two first runs at once one key is made (created
 * exclusively) and both read it. Undefined when it cannot be read or made (a
 * read-only home) or is not as orchestra makes it (another size, a symlink,
 * open to others, another owner's): a cache that is not used only costs speed.
 */
export function loadCacheKey(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readKey(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    createExclusive(file, randomBytes(KEY_BYTES), 0o600);
    return readKey(file);
  } catch {
    return undefined;
  }
}

/** The key, from one descriptor (no symlink followed, no swap between the check and the read); undefined when it is not fit to use. */
function readKey(file: string): Buffer | undefined {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    const owner = process.getuid?.();
    if (!st.isFile() || st.size !== KEY_BYTES || (st.mode & 0o077) !== 0 || (owner !== undefined && st.uid !== owner)) return undefined;
    const key = Buffer.alloc(KEY_BYTES);
    return readSync(fd, key, 0, KEY_BYTES, 0) === KEY_BYTES ? key : undefined;
  } finally {
    closeSync(fd);
  }
}

function safeHomedir(): string | undefined {
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}
