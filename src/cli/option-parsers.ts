import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/duration.js';
import type { ReporterChoice } from '../session/reporters.js';
import { ID, ID_RULE } from '../workspace/run-ids.js';

/**
 * Commander argument parsers: each turns one flag's text into its value or
 * throws InvalidArgumentError, which commander prints with the flag's name
 * (exit 2).
 */
export function collectShard(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const m = /^([^=]+)=(\d+)$/.exec(value);
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 2 || n > 256) throw new InvalidArgumentError('expected gate=n with n from 2 to 256, such as timestamps=4.');
  return { ...previous, [m[1] as string]: n };
}

export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function port(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0: a free one).');
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number (0 or more).');
  return n;
}

export function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 90s, 5m or 1h.');
  return ms;
}

export const REPORTERS = ['pretty', 'json', 'github', 'junit', 'sarif'] as const satisfies readonly ReporterChoice['name'][];

export function collectReporter(value: string, previous: ReporterChoice[] = []): ReporterChoice[] {
  const [name, file] = value.split(/=(.*)/s, 2) as [string, string | undefined];
  if (!(REPORTERS as readonly string[]).includes(name)) throw new InvalidArgumentError(`expected one of ${REPORTERS.join(', ')}.`);
  if (file !== undefined && name !== 'junit' && name !== 'sarif') throw new InvalidArgumentError(`only junit and sarif write a file (${name}=FILE given).`);
  return [...previous, { name: name as (typeof REPORTERS)[number], ...(file ? { file } : {}) }];
}

/** A run or phase id on the command line: the same rule as in the config, so it never reaches a path outside `.orchestra/runs`. */
export function anId(value: string): string {
  if (!ID.test(value)) throw new InvalidArgumentError(`'${value}' is not an id (${ID_RULE}).`);
  return value;
}
