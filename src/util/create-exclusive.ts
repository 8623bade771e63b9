import { randomBytes } from 'node:crypto';
import { linkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Creates `file` holding `content` unless it exists: true when this call
 * made it. The content is written to a private temp file first and then
 * hard-linked into place; link(2) fails with EEXIST atomically, so of any
 * number of racers exactly one creates the file, and no reader ever sees it
 * empty or half-written (as it could between open(O_EXCL) and write).
 */
export function createExclusive(file: string, content: string | Buffer, mode = 0o666): boolean {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, content, { flag: 'wx', mode });
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createWithExcl(file, content, mode); // no hard links here
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** O_EXCL alone: still one winner, but a reader may see the file empty for a moment. */
function createWithExcl(file: string, content: string | Buffer, mode: number): boolean {
  try {
    writeFileSync(file, content, { flag: 'wx', mode });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}
