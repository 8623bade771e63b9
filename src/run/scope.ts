import path from 'node:path';
import picomatch from 'picomatch';
import type { Scope } from '../config/types.js';

/** Paths no task may change, whatever its scope says. */
const ALWAYS_FORBIDDEN = ['.git/**', '.orchestra/**', '**/.env', '**/.env*', '.env*'];

/** What an agent may never change under this scope: its `forbid` and the defaults (handed to CLIs that can refuse edits themselves). */
export function forbiddenGlobs(scope: Pick<Scope, 'forbid'>): string[] {
  return [...new Set([...scope.forbid, ...ALWAYS_FORBIDDEN])];
}

/**
 * The paths a task changed that its scope does not allow: outside `touch`
 * (when given), or matching `forbid` or the defaults. Pure.
 */
export function scopeViolations(paths: readonly string[], scope: Scope): Array<{ path: string; why: string }> {
  const inTouch = scope.touch.length ? picomatch([...scope.touch, ...(scope.shared ?? [])], { dot: true }) : () => true;
  const forbidden = picomatch(forbiddenGlobs(scope), { dot: true });
  const out: Array<{ path: string; why: string }> = [];
  for (const p of paths) {
    if (forbidden(p)) out.push({ path: p, why: 'forbidden' });
    else if (!inTouch(p)) out.push({ path: p, why: `outside scope.touch (${scope.touch.join(', ')})` });
  }
  return out;
}

/**
 * A path as a message shows it: as is, or JSON-quoted when it holds a
 * newline, a control character or a quote, so that a file named by an agent
 * cannot split a message or forge a line of it. Pure.
 */
export function showPath(p: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  return /[\u0000-\u001f\u007f-\u009f"\u2028\u2029]/.test(p) ? JSON.stringify(p) : p;
}

/**
 * Symbolic links whose target leaves the worktree (an absolute path, or one
 * that climbs above the root): merged, they would let a later agent or gate
 * write outside the repository through them. Pure.
 */
export function escapingLinks(links: ReadonlyArray<{ path: string; target: string }>): Array<{ path: string; why: string }> {
  return links.flatMap((l) => {
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(l.path), l.target));
    const escapes = path.posix.isAbsolute(l.target) || resolved === '..' || resolved.startsWith('../');
    return escapes ? [{ path: l.path, why: `a symbolic link to ${showPath(l.target)}, outside the repository` }] : [];
  });
}

/** What a fix agent may change: what the phase's tasks could, never the config or the team file. */
export function fixScope(tasks: ReadonlyArray<{ scope: Scope }>, configFiles: readonly string[]): Scope {
  const open = tasks.length === 0 || tasks.some((t) => t.scope.touch.length === 0);
  return {
    touch: open ? [] : [...new Set(tasks.flatMap((t) => t.scope.touch))],
    forbid: [...new Set([...tasks.flatMap((t) => t.scope.forbid), ...configFiles])],
  };
}
