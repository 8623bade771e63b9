import { describe, expect, it } from 'vitest';
import { mapStack, type Origin } from '../../src/logger/stack-map.js';

const STACK = [
  'TypeError: planted',
  '    at loadConfig (file:///pkg/dist/chunks/chunk-AB12.js:788:7)',
  '    at async file:///pkg/bin/orchestra.js:12:20',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  '    at Object.<anonymous> (/pkg/dist/cli/main.js:3:1)',
  // The check entry's bundle is CommonJS, run by path.
  '    at async checkCommand (/pkg/dist/cli/check-main.cjs:273:563)',
].join('\n');

describe('mapStack', () => {
  it("adds each frame's origin after its built location, and leaves the rest as it was", () => {
    const asked: string[] = [];
    const origin: Origin = (file, line, column) => {
      asked.push(`${file}:${line}:${column}`);
      return file.includes('/dist/') ? `/pkg/src/x.ts:${line - 700}:${column + 1}` : undefined;
    };
    expect(mapStack(STACK, origin).split('\n')).toEqual([
      'TypeError: planted',
      '    at loadConfig (file:///pkg/dist/chunks/chunk-AB12.js:788:7) [/pkg/src/x.ts:88:8]',
      '    at async file:///pkg/bin/orchestra.js:12:20',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at Object.<anonymous> (/pkg/dist/cli/main.js:3:1) [/pkg/src/x.ts:-697:2]',
      '    at async checkCommand (/pkg/dist/cli/check-main.cjs:273:563) [/pkg/src/x.ts:-427:564]',
    ]);
    // node's own frames are not looked up; built files are, with their line and column.
    expect(asked).toEqual([
      'file:///pkg/dist/chunks/chunk-AB12.js:788:7',
      'file:///pkg/bin/orchestra.js:12:20',
      '/pkg/dist/cli/main.js:3:1',
      '/pkg/dist/cli/check-main.cjs:273:563',
    ]);
  });

  it('is the stack itself where nothing is known (the package ships no maps)', () => {
    expect(mapStack(STACK, () => undefined)).toBe(STACK);
  });
});
