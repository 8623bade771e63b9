import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Finding } from '../rules/types.js';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Gate } from '../config/types.js';
import type { RuleTarget } from './rule-target.js';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { FileIndex } from './file-index.js';
import { inShard, shardText, type Shard } from './shard.js';

/**
 * A matcher for globs, with a fast path for the commonest shape, `dir/**`
 * (a prefix test instead of a regular expression): a pre-push check matches
 * every file of the repo against every gate's inputs.
 */
export function matcher(globs: readonly string[]): (file: string) => boolean {
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const rest: string[] = [];
  for (const g of globs) {
    const glob = g.replace(/^\.\//, '');
    const dir = /^((?:[\w.@-]+\/)+)\*\*$/.exec(glob);
    const ext = /^\*\*\/\*(\.[\w-]+)$/.exec(glob);
    if (dir && !(dir[1] as string).split('/').some((seg) => seg === '.' || seg === '..')) prefixes.push(dir[1] as string);
    else if (ext)
      suffixes.push(ext[1] as string); // `**/*.json`: any file, at any depth, with that extension
    else rest.push(g);
  }
  const slow = rest.length ? compiled(rest) : undefined;
  return (file) => prefixes.some((p) => file.startsWith(p)) || suffixes.some((x) => file.endsWith(x)) || (slow !== undefined && slow(file));
}

const matchers = new Map<string, (file: string) => boolean>();

/** picomatch compiles a glob to a regular expression: once per set of globs per process. */
function compiled(globs: readonly string[]): (file: string) => boolean {
  const key = globs.join('\0');
  let m = matchers.get(key);
  if (!m) matchers.set(key, (m = picomatch([...globs], { dot: true })));
  return m;
}

/** Files a gate's globs select, `exclude` applied. */
export function selectFiles(index: FileIndex, include: readonly string[], exclude: readonly string[]): string[] {
  if (include.length === 0) return [];
  const yes = matcher(include);
  const no = exclude.length ? matcher(exclude) : () => false;
  return index.files.filter((f) => yes(f) && !no(f));
}

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
  for (const f of files) h.update(`\0${f}\0${index.hashOf(f)}`);
  return h.digest('hex');
}

/** Passing results by fingerprint. Failures are never stored. Safe for two processes: write to temp, rename. */
export class GateCache {
  readonly #dir: string;
  readonly #writes: Promise<void>[] = [];
  #made = false;

  /** `dir`: the workspace's gate cache folder. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  has(fingerprint: string): boolean {
    return existsSync(path.join(this.#dir, `${fingerprint}.json`));
  }

  /** The warnings a cached pass had, so that a cached run still shows them. */
  findings(fingerprint: string): Finding[] {
    try {
      const record = JSON.parse(readFileSync(path.join(this.#dir, `${fingerprint}.json`), 'utf8')) as { findings?: Finding[] };
      return record.findings ?? [];
    } catch {
      return [];
    }
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
      writeFile(tmp, JSON.stringify({ ...record, passedAt: new Date().toISOString() }))
        .then(() => rename(tmp, file))
        .catch(() => rm(tmp, { force: true })), // an unwritable cache costs only speed
    );
  }

  async flush(): Promise<void> {
    await Promise.all(this.#writes);
  }
}
