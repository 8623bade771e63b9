import { realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/**
 * What kind of thing a path the user gave is, checked before it is read or
 * written: reading a directory throws EISDIR, a FIFO or a device blocks or
 * never ends, and a /proc or /sys file says its size is 0 and then streams.
 * Each check returns why the path does not fit (for a message the caller
 * prefixes with the flag or the file:line:col), or undefined when it does.
 */

function kindOf(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** /proc and /sys files are not files: their sizes lie and some never end. */
function kernelFile(file: string): boolean {
  let real = file;
  try {
    real = realpathSync(file);
  } catch {
    // a path that does not resolve is judged as written
  }
  return [real, path.resolve(file)].some((p) => /^\/(proc|sys)(\/|$)/.test(p));
}

function stat(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** A file to read: it exists and is a regular file outside /proc and /sys. */
export function readableFileProblem(file: string): string | undefined {
  const st = stat(file);
  if (!st) return `no such file: ${file}`;
  if (kernelFile(file)) return `${file} is a /proc or /sys file, not a regular file`;
  if (!st.isFile()) return `${file} is ${kindOf(st)}, not a file`;
  return undefined;
}

/** A file to write: absent (its folder is made) or a regular file, outside /proc, /sys and /dev. */
export function writableFileProblem(file: string): string | undefined {
  if (kernelFile(file) || /^\/dev(\/|$)/.test(path.resolve(file))) return `${file} is under /proc, /sys or /dev, not a place for a file`;
  const st = stat(file);
  if (st && !st.isFile()) return `${file} is ${kindOf(st)}, not a file`;
  // The nearest part of the path that exists must be a directory, or the folder cannot be made.
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const d = stat(dir);
    if (d) return d.isDirectory() ? undefined : `${dir} is ${kindOf(d)}, so ${file} cannot be made`;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A directory to work in. */
export function directoryProblem(dir: string): string | undefined {
  const st = stat(dir);
  if (!st) return `no such directory: ${dir}`;
  if (!st.isDirectory()) return `${dir} is ${kindOf(st)}, not a directory`;
  return undefined;
}
