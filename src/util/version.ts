import { readFileSync } from 'node:fs';

let cached: { name: string; version: string } | undefined;

function own(): { name: string; version: string } {
  cached ??= JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return cached;
}

/** orchestra's own version, from its package.json. */
export function orchestraVersion(): string {
  return own().version;
}

/**
 * The npm name orchestra is published under (`orchestra` belongs to another
 * project): what a pinned `npx`, a dependency check and a `$schema` path use.
 * The command stays `orchestra`.
 */
export function orchestraPackage(): string {
  return own().name;
}
