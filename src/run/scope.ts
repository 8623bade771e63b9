import picomatch from 'picomatch';
import type { Scope } from '../config/types.js';

/** Paths no task may change, whatever its scope says. */
export const ALWAYS_FORBIDDEN = ['.git/**', '.orchestra/**', '**/.env', '**/.env*', '.env*'];

/**
 * The paths a task changed that its scope does not allow: outside `touch`
 * (when given), or matching `forbid` or the defaults. Pure.
 */
export function scopeViolations(paths: readonly string[], scope: Scope): Array<{ path: string; why: string }> {
  const inTouch = scope.touch.length ? picomatch([...scope.touch], { dot: true }) : () => true;
  const forbidden = picomatch([...scope.forbid, ...ALWAYS_FORBIDDEN], { dot: true });
  const out: Array<{ path: string; why: string }> = [];
  for (const p of paths) {
    if (forbidden(p)) out.push({ path: p, why: 'forbidden' });
    else if (!inTouch(p)) out.push({ path: p, why: `outside scope.touch (${scope.touch.join(', ')})` });
  }
  return out;
}
