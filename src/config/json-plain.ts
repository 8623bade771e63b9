import { completeLocated, Positions, setOwn, type PlainObject } from './located.js';
import { resolvePlainScalar } from './yaml-core-scalar.js';

/**
 * A JSON file (team.json, a JSON config, package.json) read to the located
 * value that parse-yaml.ts's parseJson gives (JSON.parse to check it, then
 * the yaml package for positions), without loading the yaml package: the
 * same values and the same positions, or undefined, and the caller takes
 * that path. Undefined for text JSON.parse rejects (the caller says why), and
 * for what this does not model: a tab or CR between tokens, a `\u` escape,
 * a repeated key (yaml reports it), nesting near YamlConverter's limit.
 * test/unit/json-plain.test.ts compares the two on generated documents.
 */

const MAX_DEPTH = 90;

export function readPlainJson(file: string, text: string): { value: unknown } | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  if (/[\t\r]/.test(text)) return undefined;
  const reader = new JsonReader(file, text);
  const start = reader.space(0);
  const value = reader.value(start, 0);
  if (value === FAIL || reader.space(reader.pos) !== text.length) return undefined;
  return { value };
}

const FAIL = Symbol('not read');

class JsonReader {
  pos = 0;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  space(p: number): number {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c !== 32 && c !== 10) return p;
      p++;
    }
  }

  /** The value at `p`; `pos` is then just after it. */
  value(p: number, depth: number): unknown {
    if (depth > MAX_DEPTH) return FAIL;
    const c = this.text.charCodeAt(p);
    if (c === 123) return this.object(p, depth);
    if (c === 91) return this.array(p, depth);
    if (c === 34) return this.string(p);
    // A number, true, false or null: the plain scalar yaml resolves it as.
    let e = p;
    for (;;) {
      const d = this.text.charCodeAt(e);
      if (!((d >= 48 && d <= 57) || (d >= 97 && d <= 122) || d === 45 || d === 43 || d === 46 || d === 69)) break;
      e++;
    }
    this.pos = e;
    const value = resolvePlainScalar(this.text.slice(p, e));
    return typeof value === 'string' ? FAIL : value;
  }

  string(open: number): unknown {
    const { text } = this;
    let p = open + 1;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === 34) break;
      if (c === 92) {
        if (text.charCodeAt(p + 1) === 117) return FAIL; // \u: yaml's own reading
        escaped = true;
        p += 2;
        continue;
      }
      p++;
    }
    this.pos = p + 1;
    // JSON.parse has accepted the file, so the token is a valid JSON string; its escapes mean the same in YAML.
    return escaped ? (JSON.parse(text.slice(open, p + 1)) as string) : text.slice(open + 1, p);
  }

  object(open: number, depth: number): unknown {
    const { text, file } = this;
    const obj: PlainObject = {};
    const positions = new Positions({ file, start: open, end: open });
    let p = this.space(open + 1);
    if (text.charCodeAt(p) !== 125) {
      for (;;) {
        const keyStart = p;
        const key = this.string(p);
        if (key === FAIL || positions.has(key as string)) return FAIL;
        const keyEnd = this.pos;
        p = this.space(this.space(keyEnd) + 1); // past the ':'
        const value = this.value(p, depth + 1);
        if (value === FAIL) return FAIL;
        positions.setRange(key as string, file, keyStart, keyEnd, p, this.pos);
        setOwn(obj, key as string, value);
        p = this.space(this.pos);
        if (text.charCodeAt(p) === 125) break;
        p = this.space(p + 1); // past the ','
      }
    }
    this.pos = p + 1;
    return completeLocated(obj, positions, { file, start: open, end: p + 1 });
  }

  array(open: number, depth: number): unknown {
    const { text, file } = this;
    const arr: unknown[] = [];
    const positions = new Positions({ file, start: open, end: open });
    let p = this.space(open + 1);
    if (text.charCodeAt(p) !== 93) {
      for (;;) {
        const value = this.value(p, depth + 1);
        if (value === FAIL) return FAIL;
        positions.setRange(arr.length, file, p, this.pos, p, this.pos);
        arr.push(value);
        p = this.space(this.pos);
        if (text.charCodeAt(p) === 93) break;
        p = this.space(p + 1);
      }
    }
    this.pos = p + 1;
    return completeLocated(arr, positions, { file, start: open, end: p + 1 });
  }
}
