import { describe, expect, it } from 'vitest';
import { parsePushRefs, pushTargets } from '../../src/git/push-refs.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

describe('pre-push refs', () => {
  it("reads git's four fields per line and ignores anything else", () => {
    expect(parsePushRefs(`refs/heads/main ${A} refs/heads/main ${Z}\nnoise\n\nrefs/tags/v1 ${B} refs/tags/v1 ${A}\n`)).toEqual([
      { localRef: 'refs/heads/main', localSha: A, remoteRef: 'refs/heads/main', remoteSha: Z },
      { localRef: 'refs/tags/v1', localSha: B, remoteRef: 'refs/tags/v1', remoteSha: A },
    ]);
    expect(parsePushRefs(`refs/heads/main nothex refs/heads/main ${Z}`)).toEqual([]);
  });

  it('checks each pushed commit once, nothing for a deletion, and the tree when git said nothing', () => {
    expect(pushTargets([])).toEqual({ kind: 'run-in-tree' });
    expect(pushTargets(parsePushRefs(`(delete) ${Z} refs/heads/topic ${A}`))).toEqual({ kind: 'nothing', deleted: ['refs/heads/topic'] });
    expect(pushTargets(parsePushRefs(`refs/heads/a ${A} refs/heads/a ${Z}\nrefs/heads/b ${A} refs/heads/b ${Z}\n(delete) ${Z} refs/heads/c ${B}`))).toEqual({
      kind: 'commits',
      commits: [A],
    });
  });
});
