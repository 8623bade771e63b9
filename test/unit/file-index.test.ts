import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { askListing, indexFiles, listFiles, parseTaggedListing, sortedPaths } from '../../src/exec/file-index.js';
import { makeRepo } from '../helpers/repo.js';
import { random } from '../helpers/seeded.js';

const git = (dir: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });

describe('the file index from one git call', () => {
  it('reads the tagged listing: index entries, changed and untracked files', () => {
    const sha = 'a'.repeat(40);
    const out = [`H 100644 ${sha} 0\tsrc/a b.ts`, `C 100644 ${sha} 0\tsrc/a b.ts`, '? new\tfile', `S 100644 ${'b'.repeat(40)} 0\tsparse`, ''].join('\0');
    const { blob, changed } = parseTaggedListing(out);
    expect([...blob]).toEqual([
      ['src/a b.ts', sha],
      ['sparse', 'b'.repeat(40)],
    ]);
    expect([...changed]).toEqual(['src/a b.ts', 'new\tfile']);
  });

  it('reads each entry as splitting the listing into entries would, malformed ones included', () => {
    // The straightforward reading (split, then slice each entry) that parseTaggedListing does in place.
    const reference = (out: string) => {
      const blob = new Map<string, string>();
      const changed = new Set<string>();
      for (const item of out.split('\0')) {
        if (item.length < 3 || item[1] !== ' ') continue;
        const rest = item.slice(2);
        if (item[0] === '?') changed.add(rest);
        else if (rest.includes('\t')) {
          const at = rest.slice(rest.indexOf('\t') + 1);
          if (item[0] === 'C') changed.add(at);
          else blob.set(at, rest.slice(7, 47));
        }
      }
      return { blob: [...blob], changed: [...changed] };
    };
    const sha = (n: number) => n.toString(16).padStart(40, '0');
    const entries = Array.from({ length: 300 }, (_, i) =>
      i % 7 === 0 ? `? u${i}` : i % 5 === 0 ? `C 100644 ${sha(i)} 0\tc${i}` : `${'HSM'[i % 3]} 100644 ${sha(i)} ${i % 4}\tdir ${i}/f`,
    );
    const malformed = ['', 'H', 'H ', 'H x', 'Hx 100644', 'H 100644 short\tp', 'C no-tab', '? ', '?x', 'H 100644 abc', `H 100644 ${sha(1)} 0\t`];
    for (const out of [entries.join('\0'), `${entries.join('\0')}\0`, [...malformed, ...entries.slice(0, 9)].join('\0'), malformed.join('\0')]) {
      const { blob, changed } = parseTaggedListing(out);
      expect({ blob: [...blob], changed: [...changed] }).toEqual(reference(out));
    }
  });

  /** a.txt modified, gone.txt deleted, untracked.txt new, staged-new.txt staged, ignored/x.txt ignored. */
  const changeEveryWay = (dir: string): void => {
    writeFileSync(path.join(dir, 'a.txt'), 'changed\n');
    rmSync(path.join(dir, 'gone.txt'));
    writeFileSync(path.join(dir, 'untracked.txt'), 'u\n');
    writeFileSync(path.join(dir, 'staged-new.txt'), 'n\n');
    git(dir, 'add', 'staged-new.txt');
    execFileSync('mkdir', ['-p', path.join(dir, 'ignored')]);
    writeFileSync(path.join(dir, 'ignored', 'x.txt'), 'i\n');
  };

  it('gives the same files and hashes as the two listings it replaces, in a repo with every kind of change', async () => {
    const dir = makeRepo({ 'a.txt': 'a\n', 'gone.txt': 'g\n', 'dir/with space.txt': 's\n', 'tab\there.txt': 't\n', '.gitignore': 'ignored/\n' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'x');
    changeEveryWay(dir);

    const one = await indexFiles(dir);
    const two = await indexFiles(dir, {
      staged: git(dir, 'ls-files', '-s', '-z'),
      dirty: git(dir, 'ls-files', '-z', '-m', '-o', '--exclude-standard').split('\0').filter(Boolean),
    });
    expect(one.files).toEqual(two.files);
    expect(one.files).toContain('untracked.txt');
    expect(one.files).not.toContain('ignored/x.txt');
    for (const f of one.files) expect(one.hashOf(f), f).toBe(two.hashOf(f));
    // The changed file is hashed from its bytes, the clean one is git's blob id, the deleted one is missing.
    expect(one.hashOf('a.txt')).toBe(git(dir, 'hash-object', 'a.txt').trim());
    expect(one.hashOf('dir/with space.txt')).toBe(git(dir, 'rev-parse', 'HEAD:dir/with space.txt').trim());
    expect(one.hashOf('gone.txt')).toBe('missing');
  });

  it('lists, without hashes, exactly the files the index holds: modified, deleted, staged, untracked, unmerged; not ignored', async () => {
    const dir = makeRepo({ 'a.txt': 'a\n', 'gone.txt': 'g\n', 'both.txt': 'base\n', 'dir/with space.txt': 's\n', '.gitignore': 'ignored/\n' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'x');
    // both.txt ends up unmerged: an index entry per stage.
    git(dir, 'checkout', '-qb', 'other');
    writeFileSync(path.join(dir, 'both.txt'), 'other\n');
    git(dir, 'commit', '-qam', 'other');
    git(dir, 'checkout', '-q', '-');
    writeFileSync(path.join(dir, 'both.txt'), 'mine\n');
    git(dir, 'commit', '-qam', 'mine');
    expect(() => git(dir, 'merge', '-q', 'other')).toThrow();
    expect(git(dir, 'ls-files', '-u')).toContain('both.txt');
    changeEveryWay(dir);

    const full = await indexFiles(dir);
    const listed = await listFiles(dir);
    expect(listed.files).toEqual(full.files);
    expect(listed.files.filter((f) => f === 'both.txt')).toHaveLength(1);
    expect(listed.files).toContain('untracked.txt');
    expect(listed.files).not.toContain('ignored/x.txt');
    // Asked anyway, a hash comes from the bytes: git's id for the file as it is.
    expect(listed.hashOf('a.txt')).toBe(git(dir, 'hash-object', 'a.txt').trim());
    expect(listed.hashOf('gone.txt')).toBe('missing');
  });

  it('takes a listing asked ahead as its one git call, and asks again when that failed', async () => {
    const dir = makeRepo({ 'a.txt': 'a\n' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'x');
    const early = askListing(dir);
    await early;
    writeFileSync(path.join(dir, 'later.txt'), 'l\n');
    // The index is what git said when asked, not what the folder holds by the time the index is made.
    expect((await indexFiles(dir, { early })).files).toEqual(['a.txt']);
    expect(await askListing(path.join(dir, 'no-such-folder'))).toBeUndefined();
    expect((await indexFiles(dir, { early: Promise.resolve(undefined) })).files).toEqual(['a.txt', 'later.txt']);
  });

  it('takes a sorted listing as it is, and sorts and dedupes any other exactly as before', () => {
    const before = (out: string): string[] => [...new Set(out.split('\0').filter(Boolean))].sort();
    const rnd = random(11);
    // Names whose byte order (git's) and UTF-16 order (JavaScript's) disagree, duplicates, empty entries.
    const names = ['a', 'a/b', 'a-b', 'b', '\u{1F600}', '\uFFFD', '\uE000x', 'é', 'Z', ''];
    for (let i = 0; i < 5000; i++) {
      const picked = Array.from({ length: Math.floor(rnd() * 6) }, () => names[Math.floor(rnd() * names.length)] as string);
      const out = (rnd() < 0.5 ? before(picked.join('\0')) : picked).map((n) => `${n}\0`).join('');
      expect(sortedPaths(out), JSON.stringify(out)).toEqual(before(out));
    }
    const listing = 'a.py\0b/c.py\0b/d.py\0';
    expect(sortedPaths(listing)).toEqual(['a.py', 'b/c.py', 'b/d.py']);
    expect(sortedPaths('')).toEqual([]);
  });
});
