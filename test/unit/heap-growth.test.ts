import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, HEAP_GROWING_PERCENT, LARGE_INPUT_BYTES } from '../../src/util/heap-growth.js';

describe('boundHeapGrowth', () => {
  it('leaves the heap alone for ordinary inputs, and bounds its growth once for a very large one', () => {
    const set: string[] = [];
    const record = (flags: string): void => void set.push(flags);
    expect(boundHeapGrowth(100_000, record)).toBe(false);
    expect(boundHeapGrowth(LARGE_INPUT_BYTES - 1, record)).toBe(false);
    expect(set).toEqual([]);
    expect(boundHeapGrowth(LARGE_INPUT_BYTES, record)).toBe(true);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    // Once per process: a second large file changes nothing.
    expect(boundHeapGrowth(10 * LARGE_INPUT_BYTES, record)).toBe(false);
    expect(set).toHaveLength(1);
  });
});
