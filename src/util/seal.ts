import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A cache entry that says who wrote it: the payload behind an HMAC-SHA256
 * over the entry's name and the payload, under a secret key. The name is
 * covered so that an entry sealed for one source text cannot be copied under
 * another's name (a config the user once parsed, with another command).
 */
export function seal(key: Buffer, name: string, payload: string): string {
  return `${mac(key, name, payload)}\n${payload}`;
}

/** The payload, if the entry was sealed under this key and name; else undefined (a miss, not an error). */
export function unseal(key: Buffer, name: string, entry: string): string | undefined {
  const newline = entry.indexOf('\n');
  if (newline < 0) return undefined;
  const payload = entry.slice(newline + 1);
  const given = Buffer.from(entry.slice(0, newline), 'utf8');
  const expected = Buffer.from(mac(key, name, payload), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? payload : undefined;
}

function mac(key: Buffer, name: string, payload: string): string {
  return createHmac('sha256', key).update(name).update('\0').update(payload).digest('hex');
}
