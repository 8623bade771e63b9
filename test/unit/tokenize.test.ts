import { describe, expect, it } from 'vitest';
import { tokenize, type LogicalLine } from '../../src/rules/python/tokenize.js';
import { referenceTokenize } from '../helpers/reference-tokenize.js';
import { random, sqlalchemyCorpus } from '../helpers/seeded.js';

const CORPUS = sqlalchemyCorpus();

/** Lines as comparable text: each token's kind, offsets and text, and the line's indent. */
const shape = (lines: readonly LogicalLine[]): string[] =>
  lines.map((l) => `${l.indent}|${l.tokens.map((t) => `${t.kind}@${t.start}-${t.end}:${t.text}`).join(' ')}`);

/** The reference tokenizer on src[from, to) alone, its offsets moved into src: what tokenize(src, from, to) must give. */
function referenceRange(src: string, from: number, to: number): string[] {
  const lines = referenceTokenize(src.slice(from, to)).map((l) => ({
    ...l,
    tokens: l.tokens.map((t) => ({ ...t, start: t.start + from, end: t.end + from })),
  }));
  return shape(lines);
}

/** Every piece the regular expression's alternatives tell apart, and the places where they meet. */
const PIECES = [
  ' ',
  '  ',
  '\t',
  '\f',
  '\r',
  '\n',
  '\r\n',
  '\\\n',
  '\\\r\n',
  '\\',
  '\\\\',
  '\\\r',
  '\v',
  '\u00a0',
  '#',
  '# c',
  "'",
  '"',
  "'''",
  '"""',
  "''",
  '""',
  'r',
  'b',
  'u',
  'f',
  'R',
  'B',
  'U',
  'F',
  'rb',
  'Br',
  'fR',
  'ur',
  'bu',
  'x',
  '_a1',
  'é',
  'ß',
  '\u00bf',
  '\u00c0',
  '😀',
  '\ud83d',
  '\ude00',
  'created_at',
  'Column',
  '0',
  '1',
  '9_9',
  '0x',
  '0xff',
  '0o7',
  '0b',
  '.',
  '..',
  '...',
  '1.',
  '.5',
  '1e',
  'e5',
  '1e+',
  '+5',
  '-',
  'j',
  'J',
  '2j',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ';',
  ',',
  ':',
  '=',
  '==',
  '*',
  '**',
  '**=',
  '/',
  '//',
  '//=',
  '<',
  '<<',
  '<<=',
  '>',
  '>>',
  '>>=',
  '->',
  ':=',
  '!',
  '!=',
  '<=',
  '>=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
  '@',
  '~',
  '$',
  '?',
];

describe('the Python tokenizer, against the regular-expression tokenizer it replaced', () => {
  it.each(CORPUS.map((text, i) => [i, text] as const))('corpus file %i: the same lines and tokens', (_i, text) => {
    expect(shape(tokenize(text))).toEqual(shape(referenceTokenize(text)));
  });

  it('random mixes of every token boundary: the same lines and tokens, whole and in any range', () => {
    const rnd = random(7);
    for (let n = 0; n < 20000; n++) {
      const parts = Array.from({ length: 1 + Math.floor(rnd() * 14) }, () => PIECES[Math.floor(rnd() * PIECES.length)] as string);
      const src = parts.join('');
      expect(shape(tokenize(src)), JSON.stringify(src)).toEqual(shape(referenceTokenize(src)));
      const from = Math.floor(rnd() * (src.length + 1));
      const to = from + Math.floor(rnd() * (src.length - from + 1));
      expect(shape(tokenize(src, from, to)), JSON.stringify([src, from, to])).toEqual(referenceRange(src, from, to));
    }
  });

  it('reads nothing past the end of its range', () => {
    const src = "x = \"abc\" + '''doc''' + 0x1f";
    // Cut inside the string, the triple quote and the number: each ends where the range does.
    expect(tokenize(src, 0, 7)[0]?.tokens.map((t) => t.text)).toEqual(['x', '=', '"ab']);
    expect(tokenize(src, 12, 19)[0]?.tokens.map((t) => t.text)).toEqual(["'''doc'"]);
    expect(tokenize(src, 24, 27)[0]?.tokens.map((t) => t.text)).toEqual(['0x1']);
    expect(tokenize(src, 24, 26)[0]?.tokens.map((t) => t.text)).toEqual(['0', 'x']);
  });
});
