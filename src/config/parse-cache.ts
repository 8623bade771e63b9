import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Workspace } from '../workspace/layout.js';
import path from 'node:path';
import { writeFileAtomic } from '../util/write-atomic.js';
import { exportLocated, importLocated } from './located.js';

/**
 * Parsed config files by content hash, positions included. Parsing YAML is
 * the slowest part of loading a large config (the yaml package is cold on
 * every start), and a pre-push hook loads the same unchanged files each time.
 * Only files that parsed without a single diagnostic are stored.
 */
export interface ParseCache {
  get(file: string, text: string): unknown;
  set(file: string, text: string, value: unknown): void;
}

const FORMAT = 1;
/** Entries kept; older ones (by last write) go when a new one is stored. */
const KEEP = 64;

export const noParseCache: ParseCache = { get: () => undefined, set: () => undefined };

export function openParseCache(ws: Workspace, version: string): ParseCache {
  const dir = ws.parseCacheDir;
  const keyOf = (file: string, text: string): string =>
    createHash('sha256')
      .update(`${FORMAT}\0${version}\0${path.extname(file)}\0${path.basename(file) === 'package.json'}\0`)
      .update(text)
      .digest('hex');
  return {
    get(file, text) {
      try {
        const data = JSON.parse(readFileSync(path.join(dir, `${keyOf(file, text)}.json`), 'utf8')) as Parameters<typeof importLocated>[0];
        return importLocated(data, file);
      } catch {
        return undefined; // missing or unreadable: parse instead
      }
    },
    set(file, text, value) {
      try {
        if (!existsSync(dir)) {
          ws.ensure();
          mkdirSync(dir, { recursive: true });
        }
        writeFileAtomic(path.join(dir, `${keyOf(file, text)}.json`), JSON.stringify(exportLocated(value)));
        prune(dir);
      } catch {
        // A cache that cannot be written (read-only checkout) only costs speed.
      }
    },
  };
}

function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  if (names.length <= KEEP) return;
  const byAge = names.map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { n } of byAge.slice(0, names.length - KEEP)) rmSync(path.join(dir, n), { force: true });
}
