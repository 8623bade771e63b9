import { describe, expect, it } from 'vitest';
import { SourceText } from '../../src/config/source-text.js';

describe('SourceText', () => {
  it('turns offsets into 1-based line:column and gives each line without its newline', () => {
    const s = new SourceText('f.yaml', 'ab\r\ncd\n\nlast');
    expect(s.position(0)).toEqual({ line: 1, column: 1 });
    expect(s.position(3)).toEqual({ line: 1, column: 4 });
    expect(s.position(4)).toEqual({ line: 2, column: 1 });
    expect(s.position(7)).toEqual({ line: 3, column: 1 });
    expect(s.position(8)).toEqual({ line: 4, column: 1 });
    expect(s.position(11)).toEqual({ line: 4, column: 4 });
    expect([1, 2, 3, 4, 5].map((l) => s.lineText(l))).toEqual(['ab', 'cd', '', 'last', '']);
  });

  it('answers for a text without a newline, and for an empty one', () => {
    expect(new SourceText('f', 'abc').position(2)).toEqual({ line: 1, column: 3 });
    expect(new SourceText('f', '').position(0)).toEqual({ line: 1, column: 1 });
    expect(new SourceText('f', 'x\n').lineText(2)).toBe('');
  });
});
