import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFile, cacheKey, decodeCache, encodeCache } from '../../src/cli/code-cache.js';

const key = cacheKey(Buffer.from('module.exports = 1;\n'), 'v20.0.0 x64');
const data = Buffer.from('bytes V8 made for the bundle'.repeat(10));

describe('the code cache file', () => {
  it("gives back V8's data for the source and node it was made for", () => {
    expect(decodeCache(encodeCache(key, data), key)?.equals(data)).toBe(true);
  });

  it('is a miss for another source or another node', () => {
    const file = encodeCache(key, data);
    expect(decodeCache(file, cacheKey(Buffer.from('module.exports = 2;\n'), 'v20.0.0 x64'))).toBeUndefined();
    expect(decodeCache(file, cacheKey(Buffer.from('module.exports = 1;\n'), 'v22.0.0 x64'))).toBeUndefined();
  });

  it('is a miss when torn, edited or not one at all', () => {
    const file = encodeCache(key, data);
    const flipped = Buffer.from(file);
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] as number) ^ 1;
    expect(decodeCache(flipped, key)).toBeUndefined();
    expect(decodeCache(file.subarray(0, file.length - 1), key)).toBeUndefined();
    expect(decodeCache(Buffer.concat([file, Buffer.from('x')]), key)).toBeUndefined();
    expect(decodeCache(Buffer.alloc(0), key)).toBeUndefined();
    expect(decodeCache(Buffer.from('garbage'.repeat(40)), key)).toBeUndefined();
    // The header alone, no data: nothing for V8.
    expect(decodeCache(encodeCache(key, Buffer.alloc(0)), key)).toBeUndefined();
  });

  it('lives in the node_modules the package is installed in, or in a checkout its own', () => {
    const installed = cacheFile('/p/node_modules/orchestra-gates/dist/cli/check-main.cjs', '/p/node_modules/orchestra-gates');
    expect(path.dirname(installed)).toBe('/p/node_modules/.cache/orchestra-gates');
    const checkout = cacheFile('/src/orchestra/dist/cli/check-main.cjs', '/src/orchestra');
    expect(path.dirname(checkout)).toBe('/src/orchestra/node_modules/.cache/orchestra-gates');
    expect(path.basename(checkout)).toMatch(/^check-main-cjs-[0-9a-f]{16}\.v8$/);
    // One file per bundle location: two checkouts sharing a node_modules do not overwrite each other's.
    expect(cacheFile('/a/dist/cli/check-main.cjs', '/a').endsWith(path.basename(cacheFile('/b/dist/cli/check-main.cjs', '/b')))).toBe(false);
  });
});
