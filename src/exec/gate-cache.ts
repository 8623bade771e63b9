import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import type { Finding } from '../rules/types.js';
import path from 'node:path';
import type { Gate } from '../config/types.js';
import type { RuleTarget } from './rule-target.js';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { FileIndex } from './file-index.js';
import { inShard, shardText, type Shard } from './shard.js';
import { selectFiles } from './select-files.js';

export const RULE_DEFAULT_EXCLUDE = ['**/node_modules/**', '.orchestra/**', '**/vendor/**', '**/third_party/**'];

export function ruleFiles(index: FileIndex, gate: Gate, rule: RuleTarget, shard?: Shard): string[] {
  const files = selectFiles(index, gate.files.length ? gate.files : rule.files, [...gate.exclude, ...rule.exclude, ...RULE_DEFAULT_EXCLUDE]);
  return shard ? files.filter((f) => inShard(f, shard)) : files;
}

/**
 * A gate's fingerprint: its command (or rule), env, working directory,
 * orchestra's version, the content of every file its inputs select, and the
 * fingerprints of the gates it needs. Undefined: never cached (no inputs, or
 * a needed gate that is never cached).
 */
export function gateFingerprint(
  gate: Gate,
  rule: RuleTarget | undefined,
  index: FileIndex | undefined,
  needs: readonly (string | undefined)[],
  version: string,
  shard?: Shard,
): string | undefined {
  if (!index || needs.some((n) => n === undefined)) return undefined;
  const files = rule ? ruleFiles(index, gate, rule, shard) : gate.inputs ? selectFiles(index, gate.inputs, gate.exclude) : undefined;
  if (!files) return undefined;
  const h = createHash('sha256');
  const definition = rule ? { rule: [rule.id, rule.definition, rule.severity] } : { run: gate.run, env: gate.env, cwd: gate.cwd ?? null };
  h.update(JSON.stringify({ v: version, name: gate.name, definition, needs, ...(shard ? { shard: shardText(shard) } : {}) }));
  // One update per batch, not per file: the same digest (a hash is over the bytes, however they are fed),
  // a fraction of the calls on a cold start.
  const BATCH = 4096;
  for (let i = 0; i < files.length; i += BATCH) {
    let chunk = '';
    for (const f of files.slice(i, i + BATCH)) chunk += `\0${f}\0${index.hashOf(f)}`;
    h.update(chunk);
  }
  return h.digest('hex');
}

/** A cache entry larger than this is not what orchestra wrote (findings of one gate, as JSON). */
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

interface Entry {
  readonly findings: Finding[];
}

/**
 * An entry is `<sha256 of the payload> <its length in bytes>\n<payload>`: a
 * truncated, padded or edited file (a crash mid-write on a file system
 * without atomic rename, a full disk, a hand) fails the check and is a
 * miss, never a cached pass.
 */
export function encodeEntry(payload: string): string {
  return `${createHash('sha256').update(payload).digest('hex')} ${Buffer.byteLength(payload)}\n${payload}`;
}

export function decodeEntry(text: string): Entry | undefined {
  const m = /^([0-9a-f]{64}) (\d+)\n/.exec(text);
  if (!m) return undefined;
  const payload = text.slice(m[0].length);
  if (Buffer.byteLength(payload) !== Number(m[2]) || createHash('sha256').update(payload).digest('hex') !== m[1]) return undefined;
  try {
    const record = JSON.parse(payload) as { findings?: unknown };
    return Array.isArray(record.findings) ? { findings: record.findings as Finding[] } : undefined;
  } catch {
    return undefined;
  }
}

/** Passing results by fingerprint. Failures are never stored. Safe for two processes: write to temp, rename. */
export class GateCache {
  readonly #dir: string;
  readonly #writes: Promise<void>[] = [];
  readonly #read = new Map<string, Entry | undefined>();
  #made = false;

  /** `dir`: the workspace's gate cache folder. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * Why results cannot be cached here, for a warning: a part of the folder's
   * path is a file (`.orchestra/cache` made by hand or by a tool). Undefined
   * when the folder is there or can be made.
   */
  problem(): string | undefined {
    for (let dir = this.#dir; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      let st;
      try {
        st = statSync(dir);
      } catch {
        continue;
      }
      return st.isDirectory() ? undefined : `${dir} is a file, not a folder, so gate results are not cached (remove it to cache them again)`;
    }
    return undefined;
  }

  /** A verified entry counts; a missing, truncated or edited one is a miss. */
  has(fingerprint: string): boolean {
    return this.#entry(fingerprint) !== undefined;
  }

  /** The warnings a cached pass had, so that a cached run still shows them. */
  findings(fingerprint: string): Finding[] {
    return this.#entry(fingerprint)?.findings ?? [];
  }

  #entry(fingerprint: string): Entry | undefined {
    if (this.#read.has(fingerprint)) return this.#read.get(fingerprint);
    let entry: Entry | undefined;
    try {
      const file = path.join(this.#dir, `${fingerprint}.json`);
      const st = statSync(file);
      if (st.isFile() && st.size <= MAX_ENTRY_BYTES) entry = decodeEntry(readFileSync(file, 'utf8'));
    } catch {
      entry = undefined;
    }
    this.#read.set(fingerprint, entry);
    return entry;
  }

  /** Stored off the main thread's path (renames are slow on some file systems); `flush()` waits for them. */
  put(fingerprint: string, record: { gate: string; durationMs: number; findings: readonly Finding[] }): void {
    const file = path.join(this.#dir, `${fingerprint}.json`);
    const tmp = `${file}.${process.pid}.${this.#writes.length}.tmp`;
    if (!this.#made) {
      try {
        mkdirSync(this.#dir, { recursive: true });
      } catch {
        // A read-only `.orchestra/` (the MCP server inside an agent's sandbox): no cache, not a crash.
        return;
      }
      this.#made = true;
    }
    this.#writes.push(
      writeFile(tmp, encodeEntry(JSON.stringify({ ...record, passedAt: new Date().toISOString() })))
        .then(() => rename(tmp, file))
        .catch(() => rm(tmp, { force: true })), // an unwritable cache costs only speed
    );
  }

  async flush(): Promise<void> {
    await Promise.all(this.#writes);
  }
}
