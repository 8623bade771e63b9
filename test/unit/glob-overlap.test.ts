import { describe, expect, it } from 'vitest';
import { expandBraces, globsOverlap, literalPrefix, segmentsOverlap } from '../../src/graph/glob-overlap.js';

// [a, b, can some path match both?]
const PAIRS: Array<[string, string, boolean]> = [
  ['app/**', 'app/models/**', true],
  ['lib/*.ts', 'lib/util.ts', true],
  ['docs/**', 'app/**', false],
  ['src/*.ts', 'src/*.js', false],
  ['src/**', 'src/a.ts', true],
  ['src/**', 'srcs/a.ts', false],
  ['**', 'anything/at/all.txt', true],
  ['**/*.test.ts', 'src/a.ts', false],
  ['**/*.test.ts', 'src/deep/a.test.ts', true],
  ['**/*.ts', '**/*.js', false],
  ['**/*.ts', '**/index.*', true],
  ['a/*/c', 'a/b/*', true],
  ['a/*/c', 'a/b/d', false],
  ['a/*', 'a/b/c', false],
  ['a/**', 'a', true],
  ['app/models/user.py', 'app/models/user.py', true],
  ['app/models/user.py', 'app/models/order.py', false],
  ['app/models/**', 'app/api/**', false],
  ['src/{a,b}/**', 'src/b/x.ts', true],
  ['src/{a,b}/**', 'src/c/x.ts', false],
  ['src/*.{ts,tsx}', 'src/App.tsx', true],
  ['src/*.{ts,tsx}', 'src/App.css', false],
  ['file?.txt', 'file1.txt', true],
  ['file?.txt', 'file10.txt', false],
  ['file[0-9].txt', 'file5.txt', true],
  ['file[0-9].txt', 'fileA.txt', false],
  ['file[!0-9].txt', 'fileA.txt', true],
  ['file[!0-9].txt', 'file5.txt', false],
  ['a*b', 'ab', true],
  ['*x*', '*y*', true],
  ['pre*', '*post', true],
  ['pre*.js', '*.ts', false],
  ['./app/**', 'app/x', true],
  ['app/', 'app/models/x.py', true],
  ['!(docs)/**', 'docs/a.md', true], // extglob: unsure, so overlapping
  ['src/**/test/*.ts', 'src/test/a.ts', true],
  ['src/**/test/*.ts', 'src/a/b/c.ts', false],
  ['backend/**', 'grpc-service/**', false],
];

describe('globsOverlap', () => {
  it('has a table of at least 30 pairs', () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(PAIRS)('%s vs %s -> %s', (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });
});

describe('parts', () => {
  it('expands braces, nested too', () => {
    expect(expandBraces('a/{b,c}/d')).toEqual(['a/b/d', 'a/c/d']);
    expect(expandBraces('{a,b{c,d}}')).toEqual(['a', 'bc', 'bd']);
    expect(expandBraces('no-braces')).toEqual(['no-braces']);
  });

  it('gives up (undefined) on a brace explosion, which counts as overlapping', () => {
    const big = '{a,b,c,d}{e,f,g,h}{i,j,k,l}{m,n,o,p}';
    expect(expandBraces(big)).toBeUndefined();
    expect(globsOverlap(big, 'zzzz')).toBe(true);
  });

  it('compares single segments by their languages', () => {
    expect(segmentsOverlap('*.py', 'models.py')).toBe(true);
    expect(segmentsOverlap('*.py', 'models.pyc')).toBe(false);
    expect(segmentsOverlap('a?c', '*b*')).toBe(true);
  });

  it('finds the literal directory prefix', () => {
    expect(literalPrefix('app/models/**')).toEqual(['app', 'models']);
    expect(literalPrefix('lib/*.ts')).toEqual(['lib']);
    expect(literalPrefix('**/x')).toEqual([]);
    expect(literalPrefix('src/{a,b}/x')).toEqual([]);
  });
});
