import { describe, expect, it } from 'vitest';
import { mergeLayers } from '../../src/config/merge.js';
import { gatesReading } from '../../src/exec/gates-reading.js';
import { compile } from '../../src/graph/compile.js';
import { configOf } from '../helpers/config.js';

describe('hook lists across layers', () => {
  it("presets' lists join in order without repeats; the user's file replaces", () => {
    const a = { hooks: { 'pre-push': ['x', 'y'] } };
    const b = { hooks: { 'pre-push': ['y', 'z'], 'pre-commit': ['q'] } };
    expect(mergeLayers(a, b, 'union')).toEqual({ hooks: { 'pre-push': ['x', 'y', 'z'], 'pre-commit': ['q'] } });
    expect(mergeLayers(a, b, 'replace')).toEqual({ hooks: { 'pre-push': ['y', 'z'], 'pre-commit': ['q'] } });
  });

  it('a disabled gate leaves hook lists and needs', async () => {
    const config = await configOf('gates:\n  a: { run: x, needs: [b] }\n  b: { run: x, enabled: false }\nhooks:\n  pre-push: [a, b]\n');
    expect(config.hooks['pre-push']?.map((r) => r.id)).toEqual(['a']);
    expect(config.gates.get('a')?.needs).toEqual([]);
    expect(config.notes?.map((n) => n.message)).toEqual([
      "note: hook 'pre-push' skips gate 'b', which is disabled ('enabled: false')",
      "note: gate 'a' no longer waits for gate 'b', which is disabled ('enabled: false')",
    ]);
  });
});

describe('gates reading changed paths', () => {
  it('a rule gate reads its files, a command gate its inputs, and one without inputs anything', async () => {
    const config = await configOf('gates:\n  todo: { rule: hygiene/no-todo, files: ["src/**"] }\n  ready: { run: x, inputs: [READY] }\n  any: { run: x }\n');
    const graph = compile(config).graph!;
    expect(gatesReading(config, graph, [])).toEqual([]);
    expect(gatesReading(config, graph, ['notes.txt'])).toEqual(['any']);
    expect(gatesReading(config, graph, ['src/a.ts', 'READY'])).toEqual(['todo', 'ready', 'any']);
  });
});
