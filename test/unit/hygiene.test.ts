import { describe, expect, it } from 'vitest';
import { noConflictMarkers, noPlaceholder, noTodo } from '../../src/rules/builtin/hygiene.js';
import { withDefaults, type BuiltinRule } from '../../src/rules/types.js';

const found = (rule: BuiltinRule, file: string, text: string): string[] =>
  rule.check(file, text, withDefaults(rule, {})).map((f) => `${text.slice(0, f.start).split('\n').length}:${text.slice(f.start, f.end)}`);

describe('hygiene/no-todo', () => {
  it('finds notes in comments, not in strings or names', () => {
    const py = '# TODO: real work\nx = "TODO in a string"\nTODO_LIST = []\ny = 1  # FIXME later\ns = """\n# XXX inside a docstring\n"""\n';
    expect(found(noTodo, 'a.py', py)).toEqual(['1:TODO', '4:FIXME']);
    const ts = 'const a = "// TODO not a comment";\n// TODO: one\n/* block\n * FIXME two */\nconst url = `http://x/* TODO */`;\n';
    expect(found(noTodo, 'a.ts', ts)).toEqual(['2:TODO', '4:FIXME']);
    expect(found(noTodo, 'notes.txt', 'TODO everything')).toEqual([]);
  });
});

describe('hygiene/no-placeholder', () => {
  it('finds Python code that only pretends', () => {
    const py = [
      'def a():',
      '    raise NotImplementedError',
      'def b():',
      '    pass  # placeholder',
      'def c():',
      '    ...',
      'def d(): ...',
      'def e():',
      '    pass',
      'class P(Protocol):',
      '    def f(self) -> int: ...',
      'class Q:',
      '    @abstractmethod',
      '    def g(self):',
      '        ...',
      '    @overload',
      '    def h(self, x: int) -> int: ...',
      'msg = "raise NotImplementedError"',
      '',
    ].join('\n');
    expect(found(noPlaceholder, 'm.py', py)).toEqual(['2:raise NotImplementedError', '4:pass', '5:def c', '7:def d']);
    expect(found(noPlaceholder, 'm.pyi', 'def c():\n    ...\n')).toEqual([]);
  });

  it('finds "not implemented" throws in JS/TS, but not in comments', () => {
    const ts =
      'export function f() {\n  throw new Error("Not implemented");\n}\n// throw new Error("not implemented")\nthrow new Error(`TODO`);\nconst doc = "throw new Error(\'not implemented\')";\n';
    expect(found(noPlaceholder, 'a.ts', ts).map((s) => s.split(':')[0])).toEqual(['2', '5']);
  });
});

describe('hygiene/no-conflict-markers', () => {
  it('finds markers at line starts only', () => {
    const text = 'a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> branch\n  <<<<<<< indented is not a marker\n========== longer is not either\n';
    expect(found(noConflictMarkers, 'f.txt', text)).toEqual(['2:<<<<<<<', '4:=======', '6:>>>>>>>']);
  });
});
