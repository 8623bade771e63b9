import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { boundHeapGrowth } from '../util/heap-growth.js';
import { readableFileProblem } from '../util/path-kind.js';
import { error, type Diagnostic, type Loc } from './diagnostic.js';
import { SourceText, type SourceStore } from './source-text.js';

/**
 * The most a config, preset, team or spec file may hold. 100,000 gates take
 * about 4 MB; a file above the limit is a mistake (a log or a build output
 * named by accident), and reading it whole would cost memory for nothing.
 */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

export type UserFile = { readonly text: string } | { readonly problem: Diagnostic };

/**
 * Reads a file the user named (by a flag, or at `at` in another file): only a
 * regular file, and at most MAX_CONFIG_BYTES of it; a larger file is an error
 * at the line where the limit is crossed. `what` names the file in messages
 * ("--config", "team file").
 */
export function readUserFile(file: string, what: string, at: Loc | undefined, sources: SourceStore, maxBytes = MAX_CONFIG_BYTES): UserFile {
  const problem = readableFileProblem(file);
  if (problem !== undefined) return { problem: error(`${what}: ${problem}`, at) };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    return { problem: error(`${what}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, at) };
  }
  try {
    // One byte more than the limit says whether the file is over it, without reading the rest.
    const buf = Buffer.alloc(Math.min(fstatSync(fd).size, maxBytes) + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > maxBytes) {
      const text = buf.subarray(0, maxBytes).toString('utf8');
      sources.set(file, new SourceText(file, text));
      const end = text.length;
      return {
        problem: error(`${what}: the file is larger than ${maxBytes / (1024 * 1024)} MB, the most orchestra reads of a config, preset, team or spec file`, {
          file,
          start: Math.max(0, end - 1),
          end,
        }),
      };
    }
    boundHeapGrowth(n);
    return { text: buf.subarray(0, n).toString('utf8') };
  } catch (e) {
    return { problem: error(`${what}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, at) };
  } finally {
    closeSync(fd);
  }
}
