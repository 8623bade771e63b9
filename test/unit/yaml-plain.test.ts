import { describe, expect, it } from 'vitest';
import { exportLocated, locOf } from '../../src/config/located.js';
import { parseYamlWhole } from '../../src/config/parse-yaml.js';
import { resolvePlainScalar } from '../../src/config/yaml-core-scalar.js';
import { parseYamlDocument } from '../../src/config/yaml-document.js';
import { readPlainYaml } from '../../src/config/yaml-plain.js';
import { random } from '../helpers/seeded.js';

/**
 * The plain reader (yaml-plain.ts) must give exactly what the yaml package
 * and YamlConverter give, value and every position, wherever it reads a
 * document at all. The yaml package is the reference: each document below is
 * read by both, and a document the plain reader takes must be one yaml reads
 * without a problem, to the same located value and the same root range.
 */
const FILE = '/c.yaml';

/** Reads `text[from, to)` both ways; returns whether the plain reader took it. */
function sameAsYaml(text: string, from = 0, to = text.length): boolean {
  const plain = readPlainYaml(FILE, text, from, to);
  if (plain === undefined) return false;
  const piece = text.slice(from, to);
  const whole = parseYamlWhole(FILE, piece);
  expect(whole.diagnostics, `the plain reader took a document yaml has problems with:\n${piece}`).toEqual([]);
  expect(plain.value, piece).toEqual(whole.value);
  expect(JSON.stringify(exportLocated(plain.value)), piece).toBe(JSON.stringify(shifted(exportLocated(whole.value), from)));
  const range = parseYamlDocument(piece).contents?.range;
  expect([plain.start, plain.end, plain.after], piece).toEqual(range?.map((n) => n + from));
  expect(locOf(plain.value)).toEqual({ file: FILE, start: plain.start, end: plain.end });
  return true;
}

/** An exported located value with every position moved by `by`: a slice's read, as if read in place. */
function shifted<T extends { locs: unknown }>(data: T, by: number): T {
  const move = (t: unknown): void => {
    if (t === null || typeof t !== 'object') return;
    const tree = t as { s: number[]; k: Record<string, number[]>; v: Record<string, number[]>; c: Record<string, unknown> };
    tree.s = tree.s.map((n) => n + by);
    for (const k of Object.keys(tree.k)) tree.k[k] = (tree.k[k] as number[]).map((n) => n + by);
    for (const k of Object.keys(tree.v)) tree.v[k] = (tree.v[k] as number[]).map((n) => n + by);
    for (const c of Object.values(tree.c)) move(c);
  };
  move(data.locs);
  return data;
}

describe('the plain YAML reader', () => {
  it('reads the common shapes of a config as yaml does', () => {
    const docs = [
      'gates:\n  lint:\n    run: npm run lint && tsc\n    inputs: ["src/**", \'*.json\']\n    timeout: 5m\n  test: { run: [node, -e, "0"], needs: [lint] }\n',
      'phases:\n  - id: p0\n    tasks:\n      - id: t0\n        agent: implementer\n        prompt: Build module 0 of phase 0.\n        scope: { touch: ["src/p0/m0/**"] }\n',
      'phases:\n- id: a\n  gates:\n  - x\n  - y\nb: 2\n',
      'a:\nb:   \nc:\n  d:\ne: [ ]\nf: {}\ng: -1\nh: --flag\ni: 0o17\nj: 0x1F\nk: .5\nl: 1e3\nm: +.inf\nn: .NaN\no: ~\np: 12345678901234567890\nq: a, b [c] {d}\nr: x:y\ns: a#b\n',
      "a: 'it''s'\nb: \"say 'hi'\"\nc: [ 'x''y' , \"z\" ]\nd: { e: f , g: [ ] }\n",
      'a:\n  b: 1\n\n\nc: 2\n',
      'a:\n  - x\n  -   y  \n\n',
      '- a: 1\n  b:\n- c\n',
      '__proto__: 1\nconstructor: { a: 1 }\n',
      'k: ünïcødé 😀\n',
      'd:',
      'd:  ',
      'a: 1\n   \nb: 2',
      '# a header\n\n# more\ngates:\n  # a note above an entry\n  a: 1 # trailing\n  b: [x] # c\n  c: "q" #c\n\n  # another\n  d: x#y\n# before a key\ne: 2\n',
    ];
    for (const doc of docs) expect(sameAsYaml(doc), doc).toBe(true);
    // The longest implicit key yaml allows, and a longer one in a flow map, which yaml allows too.
    expect(sameAsYaml(`${'k'.repeat(1024)}: 1\n`)).toBe(true);
    expect(sameAsYaml(`a: { ${'k'.repeat(1100)}: 1 }\n`)).toBe(true);
  });

  it('gives up on what is not of the subset, and yaml reads it', () => {
    const docs = [
      'a:\n  b: 1\n  # a comment after the last entry, at its indent\nd: 2\n',
      'a:\n  b: 1\n    # deeper\nd: 2\n',
      'a: 1\n# a comment at the end\n',
      'a: # a comment after a key\n  b: 1\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  x\n',
      'a: >\n  x\n',
      'a: "x\\ty"\n',
      'a: one\n  two\n',
      'a: [x,\n  y]\n',
      '"a": 1\n',
      'a b: 1\n',
      '1: x\n',
      'true: x\n',
      'a: 1\na: 2\n',
      'a:\t1\n',
      'a: 1\r\n',
      '\ufeffa: 1\n',
      'a: [x, ]\n',
      'a: {x: }\n',
      'a: [x: y]\n',
      '---\na: 1\n',
      '? a\n: 1\n',
      '-\n  a: 1\n',
      '- - x\n',
      'a: b: c\n',
      'a: x\n b: y\n',
      '',
      '\n\n',
      'a: "x" y\n',
      'a: - x\n',
      'a: @x\n',
      `${'k'.repeat(1025)}: 1\n`,
      `- ${'k'.repeat(1025)}: 1\n`,
    ];
    for (const doc of docs) expect(readPlainYaml(FILE, doc), JSON.stringify(doc)).toBeUndefined();
  });

  it('resolves plain scalars as the core schema does', () => {
    const scalars = [
      ...['~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n'],
      ...['0', '-0', '+0', '00', '007', '0o17', '0o8', '0x1F', '0X1F', '0xg', '+12', '-12', '1_000', '12345678901234567890', '9007199254740993'],
      ...['1.0', '1.', '.5', '-.5', '+.5', '.', '1e3', '1E-3', '.5e+2', '1.5e', 'e3', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', '-.nan', 'inf', 'nan'],
      ...['5m', '1h30m', '2020-01-01', '1:30', '0b101', 'x', 'Nope', 'Total', 'f', 'T', '--x', '-x', '~x', '.x', '+x'],
    ];
    for (const s of scalars) {
      const doc = parseYamlDocument(`k: ${s}\n`);
      expect(doc.errors, s).toEqual([]);
      const expected = (doc.toJS() as Record<string, unknown>)['k'];
      expect(resolvePlainScalar(s), s).toEqual(expected);
    }
  });

  it('reads a region of a larger text in place (the pieces of a large file)', () => {
    const text = 'gates:\n  a: { run: x }\n  b:\n    run: y\n    needs: [a]\n  c: z\nphases: []\n';
    const from = text.indexOf('  a:');
    const to = text.indexOf('phases:');
    expect(sameAsYaml(text, from, to)).toBe(true);
    // A region must end at a line's end: every scan stops at a newline.
    expect(readPlainYaml(FILE, text, from, to - 1)).toBeUndefined();
  });

  it('random and mutated documents: wherever it reads, it reads as yaml does (fixed seed)', () => {
    const rnd = random(19);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const scalars = [
      'a',
      'echo hi && exit 1',
      'b c  ',
      '"q"',
      '"a # b"',
      "'s''t'",
      "'x'",
      '""',
      "''",
      '1',
      '-1',
      '0o7',
      '0x1f',
      '1.5e3',
      '.inf',
      'true',
      'False',
      '~',
      'null',
      '5m',
      '[x, y]',
      '[ ]',
      '[[a], {b: c}]',
      '{k: v}',
      '{ k: [1, 2], l: "m" }',
      '{}',
      'x # c',
      'x #c # d',
      '[x] # c',
      '"q"  # c',
      "'s' #",
    ];
    // Each of these makes the reader give up (or is a mistake); one value in twelve is one of them.
    const odd = ['x # c', 'a#b', 'a:b', 'a, b', '--flag', '- x', '&A v', '*A', '!t v', '|', '>', '@x', '"a\\"b"', 'ü 😀', 'x:', '[a, ]', '{a: }', '[a: b]'];
    const scalar = (): string => (rnd() < 1 / 12 ? pick(odd) : pick(scalars));
    const keys = ['k', 'gates', 'run', 'g1', 'g-2', 'a.b', 'a/b', '_x', '__proto__'];
    const oddKeys = ['null', 'True', '"q"', '1', 'a b', 'ü'];
    const key = (): string => (rnd() < 1 / 30 ? pick(oddKeys) : pick(keys));
    const block = (indent: number, depth: number): string => {
      const pad = ' '.repeat(indent);
      const seq = rnd() < 0.3;
      const out: string[] = [];
      for (let i = 0, n = 1 + Math.floor(rnd() * 5); i < n; i++) {
        if (rnd() < 0.08) {
          out.push(pick(['', '', '   ', `${pad}# c`, `${pad}# c`, `${pad}#`, `${' '.repeat(Math.floor(rnd() * 8))}# c`]));
        } else if (depth < 4 && rnd() < 0.4) {
          if (seq && rnd() < 0.5) {
            // `- key: value` and more keys under it
            const inner = block(indent + 2, depth + 1);
            out.push(`${pad}- ${inner.slice(indent + 2)}`);
          } else {
            out.push(seq ? `${pad}-` : `${pad}${key()}:${pick(['', '', '', '', '  ', ' # c'])}`);
            out.push(block(seq ? indent + 2 : pick([indent + 2, indent + 4, indent, indent + 1]), depth + 1));
          }
        } else {
          const value = scalar();
          out.push(seq ? `${pad}- ${value}` : `${pad}${key()}:${value === '' ? '' : ' '}${value}`);
        }
      }
      return out.join('\n');
    };
    const mutate = (text: string): string => {
      const at = Math.floor(rnd() * text.length);
      switch (Math.floor(rnd() * 5)) {
        case 0:
          return text.slice(0, at) + pick([' ', ':', '-', '#', '"', "'", ',', '[', ']', '{', '}', '\n', 'x']) + text.slice(at);
        case 1:
          return text.slice(0, at) + text.slice(at + 1);
        case 2: {
          const lines = text.split('\n');
          const l = Math.floor(rnd() * lines.length);
          lines.splice(l, 0, lines[l] as string);
          return lines.join('\n');
        }
        case 3:
          return text.replace(/\n {2}/, '\n ');
        default:
          return text.trimEnd();
      }
    };
    let taken = 0;
    let cases = 0;
    for (let i = 0; i < 3000; i++) {
      let text = block(0, 0) + '\n';
      if (rnd() < 0.3) text = mutate(text);
      cases++;
      if (sameAsYaml(text)) taken++;
    }
    // Enough documents are taken for the comparison to mean something, and enough are given up.
    expect(taken).toBeGreaterThan(cases / 5);
    expect(taken).toBeLessThan(cases);
  });
});
