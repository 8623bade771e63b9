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
    const patterns = bytePatterns(needles);
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

  it('follows the options: other names, other needles', () => {
    const options = withDefaults(timestampServerDefault, { names: ['inserted_at'] });
    expect(timestampServerDefault.needles?.(options)).toEqual(['inserted_at']);
  });
});
