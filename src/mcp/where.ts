import { realpathSync } from 'node:fs';
import path from 'node:path';

export type Folder = { readonly ok: true; readonly dir: string } | { readonly ok: false; readonly error: string };

/**
 * The folder a tool call is about: `given` (relative to `base`), else `base`,
 * which must exist and lie inside `boundary` (the repository the server was
 * started in) once links are followed: a model cannot send the gates into
 * another repository or the home folder.
 */
export function folderWithin(base: string, boundary: string, given: string | undefined): Folder {
  const wanted = path.resolve(base, given ?? '.');
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    return { ok: false, error: `path '${given ?? wanted}' does not exist (paths are relative to ${base})` };
  }
  const rel = path.relative(realpathSync(boundary), real);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel))
    return { ok: false, error: `path '${given ?? wanted}' is outside the repository ${boundary}; give a folder inside it (or leave path out)` };
  return { ok: true, dir: real };
}
