import { describe, expect, it } from 'vitest';
import { exportLocated } from '../../src/config/located.js';
import { parseYaml, parseYamlWhole } from '../../src/config/parse-yaml.js';
import { planPieces, type Collection } from '../../src/config/yaml-pieces.js';
import { readPieces } from '../../src/config/yaml-read-pieces.js';

/**
 * A large config is read in pieces (yaml-pieces.ts); the whole read is the
 * reference. Each document is cut as finely as the cutter allows (pieces of
 * 1 byte and up), and wherever the pieces read without a problem, the value
 * and every position must be the whole read's.
 */
const FILE = '/c.yaml';

function located(value: unknown): string {
  return JSON.stringify(exportLocated(value));
}

/** How many cut readings succeeded for `text` (each checked against the whole read). */
function sameAsWhole(text: string): number {
  const whole = parseYamlWhole(FILE, text);
  let read = 0;
  for (const bytes of [1, 4, 16, 64, 256]) {
    const plan = planPieces(text, bytes);
    if (plan === undefined) continue;
    const value = readPieces(FILE, text, plan);
    if (value === undefined) continue;
    read++;
    expect(whole.diagnostics, `pieces of ${bytes} read a document the whole read has problems with`).toEqual([]);
    expect(value).toEqual(whole.value);
    expect(located(value), `positions with pieces of ${bytes}`).toBe(located(whole.value));
  }
  // What parseYaml gives (pieces of the default size, or the whole read) is always the whole read's.
  const used = parseYaml(FILE, text);
  expect(used.diagnostics).toEqual(whole.diagnostics);
  expect(located(used.value)).toBe(located(whole.value));
  return read;
}

function parts(c: Collection): number {
  return c.parts.reduce((n, p) => n + (p.kind === 'keyed' ? 1 + parts(p.value) : 1), 0);
}

const TRICKY: Record<string, string> = {
  'anchors and aliases': 'base: &b\n  run: x\n  inputs: [a]\ngates:\n  one: *b\n  two:\n    run: *r\n  three: &r y\n',
  'an alias after its anchor in a later entry': 'a: &x [1, 2]\nb: c\nd: *x\ne:\n  f: *x\n',
  'merge keys (kept as a key: merge is off)': 'defaults: &d\n  timeout: 5m\ngates:\n  a:\n    <<: *d\n    run: x\n  b:\n    <<: *d\n    run: y\n',
  'flow collections over lines': 'gates:\n  a: { run: x,\n    inputs: [a,\n      b] }\n  b: [1, 2,\n    3]\n  c: {}\n',
  'block scalars':
    'gates:\n  a:\n    run: |\n      echo 1\n\n      echo 2\n    prompt: >-\n      folded\n      text\n\n  b:\n    run: |+\n      kept\n\n  c: |2\n      indented\n',
  'multi-line plain scalars': 'gates:\n  a:\n    prompt: one\n      two\n\n      three\n  b: x\n',
  comments:
    '# top\ngates: # the gates\n  # first\n  a: 1 # one\n\n  # second\n  b: 2\n  c:\n    # inside\n    d: 3\n# between\nphases:\n  - id: p # c\n    # c\n  - id: q\n# end\n',
  'an empty value with a comment, then a blank line': 'phases:\n  - id: a\n    gates: # c\n\n  - id: b\n',
  'empty values and comments': 'a:\n  b: # c\n\n  c:\n\n  d: x\ne: # c\n\nf:\n  - \n  - # c\n\n  -\n',
  CRLF: 'gates:\r\n  a:\r\n    run: x\r\n\r\n  b:\r\n    run: |\r\n      y\r\n  c: "q\r\n    r"\r\nphases:\r\n  - id: p\r\n',
  BOM: '\ufeffgates:\n  a: { run: x }\n  b: { run: y }\n',
  'quoted and odd keys': 'gates:\n  "quoted": 1\n  \'single\': 2\n  a b: 3\n  1: 4\n  true: 5\n  ü: 6\n  __proto__: 7\n  ? explicit\n  : 8\n  k-1: 9\n',
  'sequences at the key indent': 'phases:\n- id: a\n  tasks:\n  - id: t\n    prompt: x\n- id: b\nhooks:\n  pre-push:\n  - a\n  - b\n',
  'nested sequences and maps': 'phases:\n  -\n    id: a\n    gates:\n      - - x\n        - y\n      -\n        k: v\n  - - 1\n    - 2\n',
  'tags and odd scalars': "a: !!str 5\nb: 0x1f\nc: ~\nd: .inf\ne: \"\\t\\u00e9\"\nf: 'it''s'\ng: 2020-01-01\n",
};

const BROKEN: Record<string, string> = {
  'a duplicate key in another piece': 'gates:\n  a: 1\n  b: 2\n  c: 3\n  a: 4\n',
  'a duplicate top-level key after a large entry': 'gates:\n  a: 1\n  b: 2\nphases: []\ngates: {}\n',
  'a tab for indentation': 'gates:\n  a: 1\n\tb: 2\n  c: 3\n',
  'an alias before its anchor': 'a: *x\nb: &x 1\n',
  'an unterminated quote across a cut': 'gates:\n  a: "x\n  b: 2\n',
  'a second document': 'a: 1\n---\nb: 2\n',
  'a key that is not a string': 'gates:\n  a: 1\n  [x]: 2\n  null: 3\n',
  'a line less indented than its entries': 'gates:\n  a:\n    run: x\n   b: 1\n  c: 2\n',
};

describe('reading YAML in pieces', () => {
  it.each(Object.entries(TRICKY))('%s: the values and positions of the whole read', (_, text) => {
    sameAsWhole(text);
  });

  it.each(Object.entries(BROKEN))('%s: read whole, with the whole read’s diagnostics', (_, text) => {
    const whole = parseYamlWhole(FILE, text);
    expect(whole.diagnostics.length).toBeGreaterThan(0);
    sameAsWhole(text);
  });

  it('cuts a generated config into many pieces and reads it as the whole read does', () => {
    const gates = Array.from({ length: 300 }, (_, g) => `  g${g}:\n    run: [node, -e, "0"]\n    inputs: ["src/m${g}/**"]\n${g % 7 ? '\n' : ''}`).join('');
    const phases = Array.from({ length: 40 }, (_, p) => `  - id: p${p}\n    tasks:\n      - { id: t${p}, agent: implementer, prompt: Do ${p}. }\n`).join('');
    const text = `# a config\ngates:\n${gates}phases:\n${phases}`;
    const plan = planPieces(text, 512);
    expect(plan).toBeDefined();
    // gates and phases each cut further, into pieces of a few entries
    expect(plan?.parts.filter((p) => p.kind === 'keyed').map((p) => p.kind === 'keyed' && p.key)).toEqual(['gates', 'phases']);
    expect(parts(plan as Collection)).toBeGreaterThan(30);
    expect(readPieces(FILE, text, plan as Collection)).toBeDefined();
    expect(sameAsWhole(text)).toBeGreaterThan(3);
  });

  it('mistakes the schema finds (not YAML ones) leave a file read in pieces, as the whole read reads it', () => {
    // The shape of `npm run bench`'s 100,000 gates with three mistakes each: no piece falls back to the whole read.
    const gates = Array.from({ length: 300 }, (_, g) => `  g${g}: { run: ${g}, needs: [x${g}], timeout: soon }\n`).join('');
    const text = `gates:\n${gates}`;
    const plan = planPieces(text);
    expect(plan).toBeDefined();
    expect(readPieces(FILE, text, plan as Collection)).toBeDefined();
    expect(sameAsWhole(text)).toBeGreaterThan(3);
  });

  it('a repeated gate in a far piece is the whole read’s duplicate-key error, at the second one', () => {
    const gates = Array.from({ length: 1000 }, (_, g) => `  g${g}: { run: x }\n`).join('');
    const text = `gates:\n${gates}  g5: { run: y }\n`;
    const r = parseYaml(FILE, text);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.message, text.slice(d.loc?.start, d.loc?.end)])).toEqual([
      ["duplicate key 'g5': each key may appear once in a mapping", 'g5'],
    ]);
    expect(r.diagnostics[0]?.loc?.start).toBe(text.lastIndexOf('  g5:') + 2);
  });

  it('random documents: wherever pieces read, they read as the whole (fixed seed)', () => {
    let seed = 20;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const scalars = [
      'a',
      'b c',
      '"q"',
      "'s''t'",
      '1',
      'true',
      '~',
      '',
      '[x, y]',
      '{k: v}',
      'x # c',
      '|\n  lit\n\n  more',
      '>-\n  fold\n  on',
      'plain\n  cont',
      '[a,\n  b]',
      '&A v',
      '*A',
    ];
    const keys = ['k', 'gates', 'run', 'g1', 'g2', 'a-b', '"q k"', '1', 'ü'];
    const block = (indent: number, depth: number): string => {
      const pad = ' '.repeat(indent);
      const seq = random() < 0.3;
      const out: string[] = [];
      for (let i = 0, n = 1 + Math.floor(random() * 5); i < n; i++) {
        if (random() < 0.1) {
          out.push(pick(['', '   ', `${pad}# c`, '# c', `${' '.repeat(Math.floor(random() * 8))}# c`]));
        } else if (depth < 4 && random() < 0.45) {
          out.push(seq ? `${pad}-` : `${pad}${pick(keys)}:${pick(['', '', ' # c', ' &A'])}`);
          out.push(block(seq ? indent + 2 : pick([indent + 2, indent + 4, indent]), depth + 1));
        } else {
          const value = pick(scalars).replace(/\n/g, `\n${pad}`);
          out.push(seq ? `${pad}- ${value}` : `${pad}${pick(keys)}: ${value}`);
        }
      }
      return out.join('\n');
    };
    let read = 0;
    for (let i = 0; i < 400; i++) {
      const text = block(0, 0) + '\n';
      read += sameAsWhole(random() < 0.15 ? text.replace(/\n/g, '\r\n') : text);
    }
    // Enough of them are really read in pieces for the comparison to mean something.
    expect(read).toBeGreaterThan(200);
  });
});
