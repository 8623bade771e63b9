import { describe, expect, it } from 'vitest';
import { logicalLineRanges, tokenizeRange } from '../../src/rules/python/lines.js';
import { tokenize } from '../../src/rules/python/tokenize.js';
import { referenceLogicalLineRanges } from '../helpers/reference-lines.js';
import { random } from '../helpers/seeded.js';

const SRC = [
  'import os  # a comment with a "quote',
  'x = "# not a comment" ; y = 2',
  's = """',
  'updated_at = Column(DateTime)',
  '"""',
  'call(',
  '    a,  # inside brackets',
  '    b)',
  "r = r'\\'' + 'it\\'s'",
  'total = 1 + \\',
  '    2',
  'class A:',
  '    created_at = Column(DateTime)',
  '',
].join('\n');

describe('logicalLineRanges', () => {
  it('splits statements as Python does, without being fooled by strings, comments or brackets', () => {
    const texts = logicalLineRanges(SRC).map((r) => [SRC.slice(r.start, r.end), r.indent]);
    expect(texts).toEqual([
      ['import os', 0],
      ['x = "# not a comment"', 0],
      ['y = 2', 0],
      ['s = """\nupdated_at = Column(DateTime)\n"""', 0],
      ['call(\n    a,  # inside brackets\n    b)', 0],
      ["r = r'\\'' + 'it\\'s'", 0],
      ['total = 1 + \\\n    2', 0],
      ['class A:', 0],
      ['created_at = Column(DateTime)', 4],
    ]);
  });

  it('tokenizes a range exactly as the full tokenizer tokenizes that line', () => {
    const ranges = logicalLineRanges(SRC);
    const full = tokenize(SRC);
    expect(ranges.map((r) => tokenizeRange(SRC, r).tokens.map((t) => `${t.start}:${t.text}`))).toEqual(
      full.map((l) => l.tokens.map((t) => `${t.start}:${t.text}`)),
    );
  });
});

const PIECES = [
  ' ',
  '\t',
  '\r',
  '\f',
  '\v',
  '\n',
  '\r\n',
  '\\\n',
  '\\\r\n',
  '\\',
  '#',
  '# c\n',
  "'",
  '"',
  "'''",
  '"""',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ';',
  ';;',
  'x',
  'created_at = 1',
  '  y',
  'é',
  '😀',
  '\u00a0',
  ':',
  '=',
];

describe('logicalLineRanges, against the character loop it replaced', () => {
  it.each(['', SRC, SRC.replace(/\n/g, '\r\n')])('the same ranges for %j', (text) => {
    expect(logicalLineRanges(text)).toEqual(referenceLogicalLineRanges(text));
  });

  it('the same ranges for 20,000 random mixes of every character the scan tells apart', () => {
    const rnd = random(23);
    for (let n = 0; n < 20000; n++) {
      const src = Array.from({ length: 1 + Math.floor(rnd() * 16) }, () => PIECES[Math.floor(rnd() * PIECES.length)] as string).join('');
      expect(logicalLineRanges(src), JSON.stringify(src)).toEqual(referenceLogicalLineRanges(src));
    }
  });
});
