import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An internal error's stack points into dist/, a bundle of chunks (see
 * scripts/build.mjs). Where the build's source maps lie beside the chunks (a
 * checkout; the package leaves them out), each frame also names the line of
 * src/ it came from. Done only when a stack is printed: node's own
 * --enable-source-maps reads every chunk's map at start-up, which a cached
 * hook would pay on every push.
 */

/** Where a place in a built file came from (`src/x.ts:line:column`), or undefined when nothing says. */
export type Origin = (file: string, line: number, column: number) => string | undefined;

// `at fn (file:///…/x.js:12:5)` and `at file:///…/x.js:12:5`: the location is the last thing on the line.
// `.cjs`: the check entry's bundle (dist/cli/check-main.cjs), run by path, not by URL.
const FRAME = /^(\s+at .*?\(?)((?:file:\/\/)?\/[^():]+\.c?js):(\d+):(\d+)(\)?)$/;

/** The stack with each frame's origin added after its built location. Pure: `origin` does the looking up. */
export function mapStack(stack: string, origin: Origin): string {
  return stack
    .split('\n')
    .map((line) => {
      const m = FRAME.exec(line);
      if (!m) return line;
      const [, head, file, row, col, close] = m as unknown as [string, string, string, string, string, string];
      const from = origin(file, Number(row), Number(col));
      return from === undefined ? line : `${head}${file}:${row}:${col}${close} [${from}]`;
    })
    .join('\n');
}

/** Origins read from the `.map` files beside the built files, each read once; a file without one has none. */
export function sourceMapOrigin(): Origin {
  const maps = new Map<string, SourceMap | undefined>();
  const load = (file: string): SourceMap | undefined => {
    try {
      return new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
    } catch {
      return undefined; // no map (the installed package) or an unreadable one: the built location stays alone
    }
  };
  return (file, line, column) => {
    const built = file.startsWith('file://') ? fileURLToPath(file) : file;
    if (!maps.has(built)) maps.set(built, load(built));
    const entry = maps.get(built)?.findEntry(line - 1, column - 1);
    if (!entry || !('originalSource' in entry)) return undefined;
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(built), entry.originalSource);
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  };
}
