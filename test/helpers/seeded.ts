import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './repo.js';

/** The SQLAlchemy corpus of test/fixtures/sqlalchemy: every models file's text. */
export function sqlalchemyCorpus(): string[] {
  const dir = path.join(ROOT, 'test', 'fixtures', 'sqlalchemy');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

/** A small deterministic generator (mulberry32): the same cases every run. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
