import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seal, unseal } from '../../src/util/seal.js';
import { cacheKeyFile, loadCacheKey } from '../../src/util/user-cache-key.js';

const key = Buffer.alloc(32, 7);

describe('sealed cache entries', () => {
  it('open under the same key and name, and under nothing else', () => {
    const entry = seal(key, 'name', '{"run":"make test"}');
    expect(unseal(key, 'name', entry)).toBe('{"run":"make test"}');
    expect(unseal(Buffer.alloc(32, 8), 'name', entry)).toBeUndefined();
    expect(unseal(key, 'other', entry)).toBeUndefined();
    expect(unseal(key, 'name', entry.replace('make test', 'curl x | sh'))).toBeUndefined();
    expect(unseal(key, 'name', '{"run":"make test"}')).toBeUndefined();
    expect(unseal(key, 'name', '')).toBeUndefined();
  });
});

describe("the user's cache key", () => {
  const home = (): string => mkdtempSync(path.join(tmpdir(), 'key-'));

  it('lives in $XDG_CACHE_HOME (when absolute) or ~/.cache, outside the repo', () => {
    expect(cacheKeyFile({ XDG_CACHE_HOME: '/c' }, '/h')).toBe('/c/orchestra/cache-key');
    expect(cacheKeyFile({ XDG_CACHE_HOME: 'rel' }, '/h')).toBe('/h/.cache/orchestra/cache-key');
    expect(cacheKeyFile({}, undefined)).toBeUndefined();
  });

  it('is made once, 32 bytes, mode 0600, and read back the same', () => {
    const file = path.join(home(), 'orchestra', 'cache-key');
    const made = loadCacheKey(file);
    expect(made?.length).toBe(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadCacheKey(file)).toEqual(made);
    expect(readFileSync(file)).toEqual(made);
  });

  it('is not used when it is not as orchestra makes it: open to others, another size, a symlink', () => {
    const dir = home();
    const file = path.join(dir, 'cache-key');
    writeFileSync(file, Buffer.alloc(32), { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(loadCacheKey(file)).toBeUndefined();
    writeFileSync(path.join(dir, 'long'), Buffer.alloc(33), { mode: 0o600 });
    expect(loadCacheKey(path.join(dir, 'long'))).toBeUndefined();
    mkdirSync(path.join(dir, 'real'));
    writeFileSync(path.join(dir, 'real', 'k'), Buffer.alloc(32), { mode: 0o600 });
    symlinkSync(path.join(dir, 'real', 'k'), path.join(dir, 'link'));
    expect(loadCacheKey(path.join(dir, 'link'))).toBeUndefined();
    expect(loadCacheKey(path.join(dir, 'real', 'k'))?.length).toBe(32);
  });
});
