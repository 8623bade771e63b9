import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './types.js';
import type { TextEdit } from './types.js';
import { writeFileAtomic } from '../util/write-atomic.js';

export interface FixOutcome {
  readonly file: string;
  readonly fixed: number;
}

/** Applies edits to one text: identical edits once, from the end backwards, skipping any that overlap an applied one. Pure. */
export function applyEdits(text: string, edits: readonly TextEdit[]): { text: string; applied: number } {
  const unique = [...new Map(edits.map((e) => [`${e.start}:${e.end}:${e.text}`, e])).values()].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let applied = 0;
  let limit = Infinity;
  for (const e of unique) {
    if (e.end > limit && e.start !== e.end) continue; // overlaps an edit already applied
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
    applied++;
  }
  return { text: out, applied };
}

/**
 * Writes the fixes that findings offer. Only files inside the repo that the
 * rule itself read are touched (a finding names its file), each written
 * atomically; a file that changed since it was read is left alone.
 */
export function applyFixes(root: string, findings: readonly Finding[], allowed: (file: string) => boolean): FixOutcome[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.fix || f.fix.length === 0 || !allowed(f.file)) continue;
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const out: FixOutcome[] = [];
  for (const [file, list] of byFile) {
    const abs = path.resolve(root, file);
    if (!abs.startsWith(path.resolve(root) + path.sep)) continue;
    const text = readFileSync(abs, 'utf8');
    const { text: fixed } = applyEdits(
      text,
      list.flatMap((f) => f.fix ?? []),
    );
    if (fixed === text) continue;
    writeFileAtomic(abs, fixed);
    out.push({ file, fixed: list.length });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}
