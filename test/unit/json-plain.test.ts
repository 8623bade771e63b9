import { describe, expect, it } from 'vitest';
import { exportLocated, locOf } from '../../src/config/located.js';
import { parseJson } from '../../src/config/parse-yaml.js';
import { readPlainJson } from '../../src/config/json-plain.js';
import { random } from '../helpers/seeded.js';

/**
 * json-plain.ts must give what parseJson (JSON.parse, then the yaml package
 * for positions) gives, value and every position, wherever it reads a file.
 */
const FILE = '/team.json';

function sameAsYaml(text: string): boolean {
  const plain = readPlainJson(FILE, text);
  if (plain === undefined) return false;
  const reference = parseJson(FILE, text);
  expect(reference.diagnostics, text).toEqual([]);
  expect(plain.value, text).toEqual(reference.value);
  // Where yaml cannot place valid JSON, parseJson keeps the value without positions; the plain reader has them.
  if (typeof reference.value === 'object' && reference.value !== null && locOf(reference.value) !== undefined)
    expect(JSON.stringify(exportLocated(plain.value)), text).toBe(JSON.stringify(exportLocated(reference.value)));
  return true;
}

describe('the plain JSON reader', () => {
  it('reads team files and configs as parseJson does', () => {
    const docs = [
      '{"agents": [{"id": "claude", "use": "claude-code", "roles": ["implementer", "fix-executor"], "concurrency": 4}]}',
      '{\n  "agents": [\n    {\n      "id": "x",\n      "command": ["sh", "-c", "echo \\"hi\\"\\n"]\n    }\n  ]\n}\n',
      '{"a": 1e5, "b": -0, "c": 1.50, "d": 12345678901234567890, "e": true, "f": null, "g": [], "h": {}, "i": "\\/\\\\\\b\\f\\t"}',
      '[1, [2, [3]], {"__proto__": {"x": 1}}]',
      '"just a string"',
      '  42  \n',
    ];
    for (const doc of docs) expect(sameAsYaml(doc), doc).toBe(true);
  });

  it('gives up on what it does not model, and on text JSON.parse rejects', () => {
    for (const doc of [
      '{"a": 1,}',
      '{"a": 1}\n{"b": 2}',
      '{\t"a": 1}',
      '{"a": 1}\r\n',
      '{"a": "\\u00e9"}',
      '{"a": 1, "a": 2}',
      `${'['.repeat(95)}${']'.repeat(95)}`,
      '',
    ])
      expect(readPlainJson(FILE, doc), doc).toBeUndefined();
  });

  it('random documents, pretty-printed or not: wherever it reads, it reads as parseJson does (fixed seed)', () => {
    const rnd = random(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const scalars: unknown[] = [
      'a',
      'with "quotes"',
      'line\nbreak',
      'ü😀',
      '',
      0,
      -1,
      1.5,
      1e21,
      -0.000001,
      123456789012,
      true,
      false,
      null,
      'null',
      '1',
      '#x',
      '- y',
      'a: b',
    ];
    const keys = ['id', 'agents', 'use', 'a b', '', '1', 'null', '__proto__', 'ü', 'x"y', 'k\\'];
    const gen = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.4) return pick(scalars);
      if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
      const obj: Record<string, unknown> = {};
      for (let i = 0, n = Math.floor(rnd() * 4); i < n; i++)
        Object.defineProperty(obj, pick(keys), { value: gen(depth + 1), enumerable: true, configurable: true, writable: true });
      return obj;
    };
    let taken = 0;
    for (let i = 0; i < 1500; i++) {
      let text = JSON.stringify(gen(0), null, pick([0, 0, 1, 2, 4]));
      // Spaces and line breaks where JSON allows them.
      if (rnd() < 0.3) text = text.replace(/([,:[{])/g, (m) => (rnd() < 0.2 ? `${m}${pick([' ', '\n', '\n  ', '   \n'])}` : m));
      if (rnd() < 0.3) text = `${pick(['', ' ', '\n'])}${text}${pick(['', '\n', '  \n\n'])}`;
      if (sameAsYaml(text)) taken++;
    }
    expect(taken).toBeGreaterThan(1000);
  });
});
