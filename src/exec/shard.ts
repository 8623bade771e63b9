/**
 * `--shard i/n`: a deterministic 1/n of a rule gate's files. A file's shard
 * comes from a hash of its path, not its place in the list, so adding a file
 * changes one shard's fingerprint and leaves the other shards cached.
 */
export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard | undefined {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && index <= count ? { index, count } : undefined;
}

export function inShard(file: string, shard: Shard): boolean {
  // FNV-1a over the UTF-16 code units: small, fast, and the same on every machine.
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) {
    h ^= file.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shard.count === shard.index - 1;
}

export function shardText(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
