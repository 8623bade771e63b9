import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../src/config/schema-check.js';
// The generated validator, the module checkSchema uses (the build writes it to dist/; vitest.config.ts points both imports there).
import { validateConfig } from '../../src/config/schema-validators.js';

describe('checkSchema', () => {
  it('explains the errors and lets go of the validator’s own copy (300,000 of them stayed alive through a whole load)', () => {
    const gates = Object.fromEntries(Array.from({ length: 50 }, (_, g) => [`g${g}`, { run: g }]));
    const ds = checkSchema('config', { gates }, '/c.yaml');
    expect(ds).toHaveLength(50);
    expect(ds[0]?.message).toBe('gates.g0.run: expected a string or a list of strings, got 0');
    expect((validateConfig as unknown as { errors: unknown }).errors).toBeNull();
  });

  it('a value of one branch of a oneOf gets that branch’s complaint, one of neither the oneOf’s', () => {
    const ds = checkSchema('config', { gates: { a: { run: ['x', 1] }, b: { run: {} } } }, '/c.yaml');
    expect(ds.map((d) => d.message)).toEqual([
      'gates.a.run[1]: expected a string, got 1',
      'gates.b.run: expected a string or a list of strings, got a mapping',
    ]);
  });
});
