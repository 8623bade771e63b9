import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { headFromFiles, locateGit, packedRef, parseHead } from '../../src/git/head-file.js';
import { parseStatusZ, under } from '../../src/git/status.js';
import { stagedUnder } from '../../src/git/tree-probe.js';
import { makeRepo, writeFiles } from '../helpers/repo.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

describe('git status, read once', () => {
  it('splits what differs from HEAD from what differs from the index; a rename counts both names', () => {
    const out = ['M  staged.ts', ' M unstaged.ts', 'MM both.ts', ' D gone.ts', '?? new/file.ts', 'R  new.ts', 'old.ts', 'A  added.ts', ''].join('\0');
    expect(parseStatusZ(out)).toEqual({
      fromHead: ['staged.ts', 'unstaged.ts', 'both.ts', 'gone.ts', 'new/file.ts', 'new.ts', 'old.ts', 'added.ts'],
      fromIndex: ['unstaged.ts', 'both.ts', 'gone.ts', 'new/file.ts'],
    });
    expect(parseStatusZ('')).toEqual({ fromHead: [], fromIndex: [] });
  });

  it("keeps the index's entries under the config's folder, relative to it", () => {
    const ls = [`100644 ${A} 0\tapp/a.ts`, `100644 ${B} 0\tapps/b.ts`, `100755 ${B} 0\tc.sh`, ''].join('\0');
    expect(stagedUnder(ls, 'app')).toBe(`100644 ${A} 0\ta.ts`);
    expect(stagedUnder(ls, '')).toBe(ls);
  });

  it("keeps the paths under the config's folder, relative to it", () => {
    expect(under(['app/a.ts', 'apps/b.ts', 'c.ts'], 'app')).toEqual(['a.ts']);
    expect(under(['app/a.ts', 'c.ts'], '')).toEqual(['app/a.ts', 'c.ts']);
  });
});

describe("HEAD from git's files", () => {
  it('reads a detached HEAD, a branch, and a packed ref', () => {
    expect(parseHead(`${A}\n`)).toEqual({ kind: 'sha', sha: A });
    expect(parseHead('ref: refs/heads/main\n')).toEqual({ kind: 'ref', ref: 'refs/heads/main' });
    expect(parseHead('garbage')).toEqual({ kind: 'unknown' });
    const packed = `# pack-refs with: peeled fully-peeled sorted\n${A} refs/heads/main-old\n${B} refs/heads/main\n^${A}\n`;
    expect(packedRef(packed, 'refs/heads/main')).toBe(B);
    expect(packedRef(packed, 'refs/heads/nope')).toBeUndefined();
  });

  it('says what git says: loose, packed, detached, from a subfolder and in a linked worktree', () => {
    const repo = makeRepo({ 'sub/a.txt': 'a\n' });
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'one');
    const head = git(repo, 'rev-parse', 'HEAD');
    const at = locateGit(path.join(repo, 'sub'));
    expect(at && headFromFiles(at)).toBe(head);
    git(repo, 'pack-refs', '--all');
    expect(headFromFiles(locateGit(repo)!)).toBe(head);
    writeFiles(repo, { 'sub/a.txt': 'b\n' });
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'two');
    git(repo, 'checkout', '-q', '--detach', 'HEAD~1');
    expect(headFromFiles(locateGit(repo)!)).toBe(head);
    const linked = `${repo}-linked`;
    git(repo, 'worktree', 'add', '-q', '-b', 'other', linked, 'main');
    try {
      expect(headFromFiles(locateGit(linked)!)).toBe(git(repo, 'rev-parse', 'main'));
    } finally {
      git(repo, 'worktree', 'remove', '--force', linked);
    }
  });
});
