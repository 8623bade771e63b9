import { describe, expect, it } from 'vitest';
import { isScalar, parseDocument, visit, type Document } from 'yaml';
import { hasLongLine, LONG_SCALAR, parseYamlDocument, readsSameSingleQuoted, YAML_OPTIONS } from '../../src/config/yaml-document.js';

/**
 * parseYamlDocument reads a long double-quoted scalar as a single-quoted one
 * (yaml builds a double-quoted value a character at a time: a 5 MB string
 * took seconds, issue 20). The yaml package's own parseDocument is the
 * reference: the same values, ranges, errors and warnings.
 */

/** Everything of a document that the config reader uses: values, every node's range, errors and warnings. */
function observed(doc: Document.Parsed): unknown {
  const ranges: unknown[] = [];
  visit(doc, { Node: (_, node) => void ranges.push(node.range) });
  const problem = (e: { code: string; pos: [number, number]; message: string }): unknown => [e.code, e.pos, e.message];
  return { value: doc.errors.length ? null : doc.toJS(), ranges, errors: doc.errors.map(problem), warnings: doc.warnings.map(problem) };
}

/** The quoting style of each long scalar (long in the file). */
function styles(doc: Document.Parsed): string[] {
  const out: string[] = [];
  visit(doc, { Scalar: (_, node) => void (isScalar(node) && node.range && node.range[1] - node.range[0] >= LONG_SCALAR && out.push(String(node.type))) });
  return out;
}

const long = (unit: string): string => unit.repeat(Math.ceil(LONG_SCALAR / unit.length) + 1);

const SAME = {
  plain: long('x'),
  'with apostrophes': long("it's "),
  'with spaces and tabs at the end': `${long('y')} \t `,
  unicode: long('ü😀\u2028'),
  'a lone NUL': `${long('z')}\u0000`,
};

const NOT_SAME = {
  'an escape': long('a\\n'),
  'a unicode escape': long('\\u00e9'),
  'a bad escape': long('\\q'),
  'a doubled apostrophe (the single-quoted escape)': long("it''s"),
  'a line break (folded)': long('w\n  '),
  'a CRLF line break': long('w\r\n  '),
  'a lone CR': long('w\r'),
};

function compare(text: string): void {
  expect(observed(parseYamlDocument(text))).toEqual(observed(parseDocument(text, YAML_OPTIONS)));
}

describe('parseYamlDocument', () => {
  it.each(Object.entries(SAME))('a long double-quoted scalar, %s: composed single-quoted, read as yaml reads it', (_, inner) => {
    const texts = [
      `a: 1\np: "${inner}"\nq: [x, "${inner}", {k: "${inner}"}]\n`,
      `{"agents": [{"id": "${inner}", "n": 1}]}\n`,
      `"${inner}": 2\n`,
      `- "${inner}" # c\n`,
    ];
    for (const text of texts) {
      compare(text);
      expect(
        styles(parseYamlDocument(text)).every((s) => s === 'QUOTE_SINGLE'),
        text.slice(0, 40),
      ).toBe(true);
    }
  });

  it.each(Object.entries(NOT_SAME))('a long double-quoted scalar with %s: left to yaml', (_, inner) => {
    const text = `p: "${inner}"\nq: 1\n`;
    compare(text);
    expect(styles(parseYamlDocument(text))).toEqual(['QUOTE_DOUBLE']);
  });

  it('a short double-quoted scalar is left to yaml', () => {
    const text = 'p: "short"\n';
    compare(text);
    expect(parseYamlDocument(text).get('p', true)).toMatchObject({ type: 'QUOTE_DOUBLE' });
  });

  it('broken documents: the same errors where yaml puts them', () => {
    const inner = long('v');
    for (const text of [
      `p: "${inner}`, // no closing quote
      `p: "${inner}"x\n`,
      `p: "${inner}"\np: 2\n`,
      `p: "${inner}"\n---\nq: "${inner}"\n`, // a second document
      `p: "${inner}"\n\tq: 1\n`,
      `p: [ "${inner}"\n`,
      `p: !!int "${inner}"\n`,
      `p: &a "${inner}"\nq: *a\n`,
      '',
      '# only a comment\n',
    ])
      compare(text);
  });

  it('readsSameSingleQuoted and hasLongLine', () => {
    expect(readsSameSingleQuoted('"abc"')).toBe(true);
    expect(readsSameSingleQuoted(`"it's"`)).toBe(true);
    expect(readsSameSingleQuoted('"abc')).toBe(false);
    expect(readsSameSingleQuoted('"')).toBe(false);
    for (const s of ['"a\\"b"', '"a\nb"', '"a\rb"', `"it''s"`]) expect(readsSameSingleQuoted(s)).toBe(false);
    expect(hasLongLine('x'.repeat(LONG_SCALAR - 1))).toBe(false);
    expect(hasLongLine('x'.repeat(LONG_SCALAR))).toBe(true);
    expect(hasLongLine(`${'a\n'.repeat(LONG_SCALAR)}b`)).toBe(false);
    expect(hasLongLine(`a\n${'x'.repeat(LONG_SCALAR)}\nb`)).toBe(true);
  });
});
