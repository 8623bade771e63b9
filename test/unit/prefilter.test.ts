import { describe, expect, it } from 'vitest';
import { timestampServerDefault, timezoneAware } from '../../src/rules/builtin/sqlalchemy.js';
import { bytePatterns, commonPart, mayMatch } from '../../src/rules/prefilter.js';
import { withDefaults, type BuiltinRule } from '../../src/rules/types.js';
import { random, sqlalchemyCorpus } from '../helpers/seeded.js';

const CORPUS = sqlalchemyCorpus();

describe('the byte prefilter', () => {
  it('never skips bytes whose UTF-8 text contains a needle, whatever the bytes (invalid UTF-8 included)', () => {
    const rnd = random(19);
    const needleSets = [['created_at', 'updated_at', 'modified_at'], ['DateTime', 'TIMESTAMP', 'Mapped'], ['é_at', 'ü_at'], ['😀x', '😁x'], ['ab']];
    // Pieces to build bytes from: needles and their halves, multibyte characters cut anywhere, stray continuation bytes.
    const pieces = [...needleSets.flat(), 'créé', '😀', ' ', '\n', 'x', '\uFFFD'].flatMap((s) => {
      const b = Buffer.from(s, 'utf8');
      return [b, b.subarray(0, Math.ceil(b.length / 2)), b.subarray(Math.ceil(b.length / 2))];
    });
    pieces.push(Buffer.from([0x80]), Buffer.from([0xc3]), Buffer.from([0xf0, 0x9f]), Buffer.from([0xed, 0xa0, 0x80]));
    let hits = 0;
    for (let i = 0; i < 20000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => pieces[Math.floor(rnd() * pieces.length)] as Buffer);
      const bytes = Buffer.concat(parts);
      const needles = needleSets[i % needleSets.length] as string[];
      const text = bytes.toString('utf8');
      if (needles.some((n) => text.includes(n))) {
        hits++;
        expect(mayMatch(bytes, bytePatterns(needles)), JSON.stringify([...bytes])).toBe(true);
      }
    }
    expect(hits).toBeGreaterThan(1000);
  });

  it('says exactly whether some needle is in the bytes (the anchor walk finds what a search per needle finds)', () => {
    const rnd = random(23);
    const needles = ['created_at', 'updated_at', 'modified_at', 'created_on', 'updated_on'];
    const patterns = bytePatterns(needles);
    const pieces = [...needles, 'ed_', 'd_', 'created', '_at', 'upd', 'ated_on', 'x', ' '];
    let yes = 0;
    for (let i = 0; i < 20000; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => pieces[Math.floor(rnd() * pieces.length)]).join(''));
      const expected = needles.some((n) => bytes.includes(n));
      if (expected) yes++;
      expect(mayMatch(bytes, patterns), bytes.toString()).toBe(expected);
    }
    expect(yes).toBeGreaterThan(2000);
    expect(yes).toBeLessThan(18000);
  });

  it('skips bytes with no needle in them', () => {
    const p = bytePatterns(['created_at', 'updated_at']);
    expect(mayMatch(Buffer.from('def handle(): return created + updated_at_x'), p)).toBe(true);
    expect(mayMatch(Buffer.from('def handle(): return created_on'), p)).toBe(false);
    expect(mayMatch(Buffer.from('ed_ alone'), p)).toBe(false);
  });

  it('looks for the part every needle shares first, cut at whole characters', () => {
    expect(commonPart(['created_at', 'updated_at', 'modified_at', 'created_on', 'updated_on'])).toBe('ed_');
    expect(commonPart(['DateTime', 'TIMESTAMP', 'Mapped'])).toBe('');
    // Two emoji with the same high surrogate share no character: the anchor is not half of a pair.
    expect(commonPart(['x\u{1F600}', 'y\u{1F601}'])).toBe('');
    expect(bytePatterns(['x\u{1F600}', 'y\u{1F601}'])?.anchor).toBeUndefined();
  });

  it('gives up where the text could hold a needle its bytes do not: U+FFFD, a lone surrogate, an empty needle', () => {
    expect(bytePatterns(['a\uFFFDb'])).toBeUndefined();
    expect(bytePatterns(['a\uD800'])).toBeUndefined();
    expect(bytePatterns(['', 'created_at'])).toBeUndefined();
    expect(bytePatterns([])).toBeUndefined();
    expect(mayMatch(Buffer.from('anything'), undefined)).toBe(true);
  });
});

describe('the sqlalchemy rules keep their needles', () => {
  const rules: BuiltinRule[] = [timestampServerDefault, timezoneAware];
  /** Every needle broken where it occurs (its second character changed), so the bytes hold none. */
  const withoutNeedles = (text: string, needles: readonly string[]): string => needles.reduce((t, n) => t.split(n).join(`${n[0]}\u00a7${n.slice(2)}`), text);

  it.each(rules.map((r) => [r.id, r] as const))('%s: a corpus file with a finding passes the prefilter; without the needles it has none', (_id, rule) => {
    const options = withDefaults(rule, {});
    const needles = rule.needles?.(options) ?? [];
    const patterns = bytePatterns(needles, rule.needlesAsTargets === true);
    expect(patterns).toBeDefined();
    let withFindings = 0;
    for (const text of CORPUS) {
      if (rule.check('x.py', text, options).length > 0) {
        withFindings++;
        expect(mayMatch(Buffer.from(text), patterns)).toBe(true);
      }
      const broken = withoutNeedles(text, needles);
      expect(mayMatch(Buffer.from(broken), patterns)).toBe(false);
      expect(rule.check('x.py', broken, options)).toEqual([]);
    }
    expect(withFindings).toBeGreaterThan(2);
  });

  it('timestamp-server-default: a needle counts only where it could begin a line as a target, and no text with a finding is skipped', () => {
    const options = withDefaults(timestampServerDefault, {});
    const patterns = bytePatterns(timestampServerDefault.needles?.(options), timestampServerDefault.needlesAsTargets);
    const at = (text: string) => mayMatch(Buffer.from(text, 'utf8'), patterns);
    expect(at('row.created_at = now()\n')).toBe(false);
    expect(at('print("created_at")\nf(created_at)\n')).toBe(false);
    expect(at('x = created_at\n')).toBe(false);
    expect(at('    created_at = Column(DateTime)\n')).toBe(true);
    expect(at('x = 1; created_at = Column(DateTime)\n')).toBe(true);
    expect(at('created_at\u00a0: Mapped[datetime]\n')).toBe(true);
    // Random lines, some with a finding: every one with a finding passes, and most without one do not.
    const rnd = random(29);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const before = ['', '  ', '\t', '\f', '\r', 'x = 1; ', 'x=1;', '\ufeff', '# c ', 'a.', '"', 'f(', '\u00a0', '\\\n'];
    const names = ['created_at', 'updated_at', 'modified_at', 'created_on', 'updated_on', 'createdat', 'my_created_at'];
    const after = [
      ' = Column(DateTime)',
      ': Mapped[datetime] = mapped_column(DateTime)',
      '\u00a0= Column(DateTime)',
      '\u2028=Column(TIMESTAMP)',
      ' =  sa.Column(sa.DateTime, default=now)',
      '= 1',
      '.x = 2',
      ')',
      ' == Column(DateTime)',
      '\t\t\t\t\t\t\t\t\t= Column(DateTime)',
    ];
    const seps = ['\n', '\r\n', '; ', ' \\\n', '\n\n'];
    const head = 'from sqlalchemy import Column, DateTime, TIMESTAMP\nfrom sqlalchemy.orm import Mapped, mapped_column\nclass M(Base):\n';
    let found = 0;
    let skipped = 0;
    for (let i = 0; i < 5000; i++) {
      const body = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => `${pick(before)}${pick(names)}${pick(after)}${pick(seps)}`).join('');
      const text = head + body;
      const bytes = rnd() < 0.2 ? Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0x80]), Buffer.from(body)]) : Buffer.from(text);
      const decoded = bytes.toString('utf8');
      if (timestampServerDefault.check('m.py', decoded, options).length > 0) {
        found++;
        expect(mayMatch(bytes, patterns), JSON.stringify(decoded)).toBe(true);
      } else if (!mayMatch(bytes, patterns)) skipped++;
    }
    expect(found).toBeGreaterThan(1000);
    expect(skipped).toBeGreaterThan(200);
  });

  it('follows the options: other names, other needles', () => {
    const options = withDefaults(timestampServerDefault, { names: ['inserted_at'] });
    expect(timestampServerDefault.needles?.(options)).toEqual(['inserted_at']);
  });
});
