import { describe, expect, it } from 'vitest';
import { assignedCall } from '../../src/rules/python/call-keywords.js';
import { logicalLineRanges } from '../../src/rules/python/lines.js';
import { assignmentOf, callAt } from '../../src/rules/python/statements.js';
import { tokenize } from '../../src/rules/python/tokenize.js';
import { random, sqlalchemyCorpus } from '../helpers/seeded.js';

const CORPUS = sqlalchemyCorpus();

/** What the tokens say: the first logical line's target and the keywords of the call its value starts with. */
function byTokens(src: string, start: number, end: number): { target: string; keywords: string[] } | undefined {
  const line = tokenize(src, start, end)[0];
  const a = line && assignmentOf(line);
  const call = a?.value?.length ? callAt(a.value) : undefined;
  return a && call ? { target: a.target.text, keywords: [...call.keywords.keys()].sort() } : undefined;
}

function byChars(src: string, start: number, end: number): { target: string; keywords: string[] } | undefined {
  const r = assignedCall(src, start, end);
  return r && { target: r.target, keywords: [...r.keywords].sort() };
}

const PIECES = [
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\\\n',
  '\\',
  ';',
  '#c',
  '#',
  ':',
  '=',
  '==',
  '!=',
  '<=',
  ':=',
  '+=',
  '**=',
  '->',
  '*',
  '**',
  '<',
  '!',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  "'",
  '"',
  "'''",
  '"""',
  'u',
  'rb',
  'f',
  'x',
  '1',
  '0x',
  '1e5',
  'é',
  'lambda a',
  'Mapped[datetime]',
  'Mapped[',
  'Column',
  'mapped_column',
  'sa.',
  'DateTime',
  'server_default',
  'onupdate',
  'server_onupdate',
  'default',
  'func.now()',
  'text("now()")',
];
const TARGETS = ['created_at', 'updated_at', 'rb', 'f', 'x'];

describe('reading a call’s keywords from characters, against the tokens', () => {
  it('on every logical line of the corpus: the same target and keywords whenever it answers, and it answers for most columns', () => {
    let answered = 0;
    for (const text of CORPUS)
      for (const { start, end } of logicalLineRanges(text)) {
        const r = byChars(text, start, end);
        if (r === undefined) continue;
        answered++;
        expect(r, text.slice(start, end)).toEqual(byTokens(text, start, end));
      }
    expect(answered).toBeGreaterThan(60);
  });

  it('on random lines built from every boundary that matters: the same whenever it answers', () => {
    const rnd = random(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    let answered = 0;
    for (let n = 0; n < 30000; n++) {
      // Most cases look like a column, so that the interesting paths are taken often; the pieces break them up.
      const head = `${pick(TARGETS)}${pick(['', ' '])}${pick(['=', ': Mapped[datetime] =', ':', ' = sa.'])} ${pick(['Column(', 'mapped_column(', 'f(', ''])}`;
      const body = Array.from({ length: Math.floor(rnd() * 10) }, () => pick(PIECES)).join('');
      const src = `${head}${body}${pick(['', ')', '))', ', server_default=x)'])}`;
      const end = rnd() < 0.8 ? src.length : Math.floor(rnd() * (src.length + 1));
      const r = byChars(src, 0, end);
      if (r === undefined) continue;
      answered++;
      expect(r, JSON.stringify([src, end])).toEqual(byTokens(src, 0, end));
    }
    expect(answered).toBeGreaterThan(3000);
  });

  it('answers for the plain shapes and declines what it cannot be sure of', () => {
    const call = (s: string): string[] | undefined => byChars(s, 0, s.length)?.keywords;
    expect(call('created_at = Column(DateTime(timezone=True), server_default=func.now())')).toEqual(['server_default']);
    expect(call('updated_at: Mapped[datetime] = mapped_column(\n    DateTime,  # a comment\n    onupdate=func.now(), server_default="x,y)",\n)')).toEqual([
      'onupdate',
      'server_default',
    ]);
    expect(call('x = f(a=(b, c=1), d = 2, e == 3)')).toEqual(['a', 'd']);
    expect(call('x = Column(DateTime) \\\n  ')).toEqual([]);
    expect(call('x = \\\n Column(DateTime)')).toBeUndefined();
    expect(call('x = Column(DateTime')).toBeUndefined();
    expect(call('x: y) = Column(a=1)')).toBeUndefined();
    expect(call('x == Column(a=1)')).toBeUndefined();
    expect(call('x = (Column(a=1))')).toBeUndefined();
  });
});
