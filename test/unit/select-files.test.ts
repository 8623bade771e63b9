import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import type { Gate } from '../../src/config/types.js';
import type { FileIndex } from '../../src/exec/file-index.js';
import { gateFingerprint } from '../../src/exec/gate-cache.js';
import { globShape, matcher, selectFiles } from '../../src/exec/select-files.js';
import { random } from '../helpers/seeded.js';

const FILES = [
  'README.md',
  'package.json',
  'pkg0/src/a.ts',
  'pkg0/src/b.json',
  'pkg0/x',
  'pkg0-old/src/a.ts',
  'pkg0.d/a.ts',
  'pkg1/src/deep/c.ts',
  'pkg1/tsconfig.json',
  'pkg10/a.ts',
  'src/.hidden/d.ts',
  'src/a.ts',
  'src/a.tsx',
  'src/b.js',
  'z/@scope/pkg/index.js',
];

const indexOf = (files: readonly string[]): FileIndex => ({ files, hashOf: (f) => `h-${f}` });

/** What a glob list selects by definition: picomatch over every file, in the index's order. */
const reference = (files: readonly string[], include: readonly string[], exclude: readonly string[]): string[] => {
  if (include.length === 0) return [];
  const yes = picomatch([...include], { dot: true });
  const no = exclude.length ? picomatch([...exclude], { dot: true }) : () => false;
  return files.filter((f) => yes(f) && !no(f));
};

const CASES: { include: string[]; exclude?: string[] }[] = [
  { include: ['pkg0/**'] },
  { include: ['./pkg0/**'] },
  { include: ['pkg0/**', 'pkg1/**', '**/*.json'] },
  { include: ['**/*.json', 'pkg0/**'] },
  { include: ['pkg1/src/**'] },
  { include: ['z/@scope/**'] },
  { include: ['src/**/*.ts', '**/*.json'] },
  { include: ['src/**', 'src/a.*'], exclude: ['**/*.tsx'] },
  { include: ['**/*'], exclude: ['pkg0/**', '**/*.json'] },
  { include: ['**/*'], exclude: ['**/src/**', '**/@scope/pkg/**', '**/.hidden/**'] },
  { include: ['**/src/**'], exclude: ['**/deep/**'] },
  { include: ['nothing/**'] },
  { include: ['pkg0/../src/**'] },
  { include: [] },
];

describe('selectFiles', () => {
  it('says which globs skip the regular expression', () => {
    expect(globShape('pkg0/src/**')).toEqual({ kind: 'prefix', prefix: 'pkg0/src/' });
    expect(globShape('./pkg0/**')).toEqual({ kind: 'prefix', prefix: 'pkg0/' });
    expect(globShape('**/*.json')).toEqual({ kind: 'suffix', suffix: '.json' });
    expect(globShape('pkg0/../src/**')).toEqual({ kind: 'glob' });
    expect(globShape('src/**/*.ts')).toEqual({ kind: 'glob' });
    expect(globShape('**/node_modules/**')).toEqual({ kind: 'segment', segment: 'node_modules' });
    expect(globShape('**/alembic/versions/**')).toEqual({ kind: 'segment', segment: 'alembic/versions' });
    expect(globShape('**/../x/**')).toEqual({ kind: 'glob' });
    expect(globShape('**/a*/**')).toEqual({ kind: 'glob' });
  });

  it('matches `**/dir/**` exactly as picomatch does, on any path (dot segments, empty ones, the folder itself)', () => {
    const rnd = random(7);
    const parts = ['migrations', 'alembic', 'versions', '.venv', 'venv', 'xmigrations', 'migrations.py', 'a', '.', '..', '', 'node_modules', 'm'];
    const globs = ['**/migrations/**', '**/alembic/versions/**', '**/.venv/**', '**/venv/**', '**/node_modules/**'];
    for (const g of globs) expect(globShape(g).kind).toBe('segment');
    const ours = globs.map((g) => matcher([g]));
    const theirs = globs.map((g) => picomatch(g, { dot: true }));
    const allOurs = matcher(globs);
    const allTheirs = picomatch(globs, { dot: true });
    let matched = 0;
    for (let i = 0; i < 20000; i++) {
      const path = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => parts[Math.floor(rnd() * parts.length)]).join('/');
      globs.forEach((g, k) => {
        const want = (theirs[k] as (f: string) => boolean)(path);
        if (want) matched++;
        expect((ours[k] as (f: string) => boolean)(path), `${g} on ${JSON.stringify(path)}`).toBe(want);
      });
      expect(allOurs(path), `all of them on ${JSON.stringify(path)}`).toBe(allTheirs(path));
    }
    expect(matched).toBeGreaterThan(2000);
  });

  it.each(CASES.map((c) => ({ exclude: [], ...c })))('selects what picomatch selects: $include minus $exclude', ({ include, exclude }) => {
    const sorted = [...FILES].sort();
    expect(selectFiles(indexOf(sorted), include, exclude)).toEqual(reference(sorted, include, exclude));
  });

  it('gives the same answer from an index whose files are not sorted (no range search then)', () => {
    const shuffled = [...FILES].reverse();
    for (const { include, exclude = [] } of CASES) expect(selectFiles(indexOf(shuffled), include, exclude)).toEqual(reference(shuffled, include, exclude));
  });

  it('answers again from its memo for the same index, and anew for another', () => {
    const first = indexOf([...FILES].sort());
    expect(selectFiles(first, ['pkg0/**'], [])).toEqual(selectFiles(first, ['pkg0/**'], []));
    const second = indexOf(['pkg0/only.ts']);
    expect(selectFiles(second, ['pkg0/**'], [])).toEqual(['pkg0/only.ts']);
  });
});

describe('gateFingerprint', () => {
  it('hashes the files as one update per file did, so cache entries made before still hit', () => {
    const files = Array.from({ length: 9000 }, (_, i) => `pkg${i % 7}/f${i}.ts`).sort();
    const index = indexOf(files);
    const gate = { name: 'g', run: { shell: 'true' }, inputs: ['pkg3/**', '**/*.json'], exclude: [], env: {} } as unknown as Gate;
    const h = createHash('sha256');
    h.update(JSON.stringify({ v: '1', name: 'g', definition: { run: gate.run, env: gate.env, cwd: null }, needs: [] }));
    for (const f of reference(files, ['pkg3/**', '**/*.json'], [])) h.update(`\0${f}\0${index.hashOf(f)}`);
    expect(gateFingerprint(gate, undefined, index, [], '1')).toBe(h.digest('hex'));
  });
});
