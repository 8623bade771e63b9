import { describe, expect, it } from 'vitest';
import { listsAhead } from '../../src/cli/check-ahead.js';

const argv = (...args: string[]): string[] => ['node', 'orchestra', 'check', ...args];

describe('listing the repo before the check is loaded', () => {
  it('is done where the check lists the current folder early', () => {
    expect(listsAhead(argv(), false)).toBe(true);
    expect(listsAhead(argv('g1', '--keep-going'), true)).toBe(true);
    expect(listsAhead(argv('--hook', 'pre-push'), false)).toBe(true);
    expect(listsAhead(argv('--hook', 'pre-commit'), true)).toBe(true);
  });

  it('is not done for a push that names its refs on stdin: the hook probes the tree instead', () => {
    expect(listsAhead(argv('--hook', 'pre-push'), true)).toBe(false);
    expect(listsAhead(argv('--hook=pre-push'), true)).toBe(false);
  });

  it('is not done when the check lists nothing early, lists another folder, or runs nothing', () => {
    for (const flag of ['--no-cache', '--fix', '--fingerprint', '--cwd', '--config=x.yaml', '--help', '-h', '--version', '-v']) {
      expect(listsAhead(argv('--hook', 'pre-push', flag), false), flag).toBe(false);
    }
  });
});
