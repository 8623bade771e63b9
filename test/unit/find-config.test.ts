import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findConfigFile } from '../../src/config/find.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A temp folder tree: path → content, or null for a folder. */
function tree(files: Record<string, string | null>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'orchestra-find-'));
  made.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    if (content === null) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
  return dir;
}

describe('findConfigFile', () => {
  it('finds orchestra.config.yaml in the start folder, as an absolute path also from a relative start', () => {
    const dir = tree({ 'orchestra.config.yaml': 'gates: {}\n', '.orchestrarc.json': '{}' });
    expect(findConfigFile(dir)).toBe(path.join(dir, 'orchestra.config.yaml'));
    expect(findConfigFile(path.relative(process.cwd(), dir))).toBe(path.join(dir, 'orchestra.config.yaml'));
  });

  it("takes the start folder's other names before a parent's orchestra.config.yaml", () => {
    const dir = tree({ 'orchestra.config.yaml': '', 'sub/.orchestrarc.yaml': '', 'sub/deeper': null });
    expect(findConfigFile(path.join(dir, 'sub'))).toBe(path.join(dir, 'sub', '.orchestrarc.yaml'));
    expect(findConfigFile(path.join(dir, 'sub', 'deeper'))).toBe(path.join(dir, 'sub', '.orchestrarc.yaml'));
  });

  it('finds a parent folder\'s config, and package.json only with an "orchestra" key', () => {
    const dir = tree({ 'orchestra.config.yml': '', 'a/package.json': '{"name":"a"}', 'b/package.json': '{"orchestra":{}}' });
    expect(findConfigFile(path.join(dir, 'a'))).toBe(path.join(dir, 'orchestra.config.yml'));
    expect(findConfigFile(path.join(dir, 'b'))).toBe(path.join(dir, 'b', 'package.json'));
  });

  it('passes over a folder named orchestra.config.yaml to the next place', () => {
    const dir = tree({ 'orchestra.config.yaml': null, '.orchestrarc.yml': '' });
    expect(findConfigFile(dir)).toBe(path.join(dir, '.orchestrarc.yml'));
  });
});
