import { renameSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Writes a file so that a reader (or a crash) never sees it half-written. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
