import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Bytes read from the log per look; the rest waits for the next look. */
const CHUNK = 1024 * 1024;
/** A line longer than this is dropped, not kept: memory stays bounded whatever an agent prints. */
export const MAX_LINE = 4 * 1024 * 1024;

/**
 * Reads a growing log file's complete lines as they are written, from where
 * the last read stopped. Only the unfinished last line is held in memory.
 */
export class LogLines {
  #offset = 0;
  #partial = '';
  /** True while skipping the rest of a line that grew past MAX_LINE. */
  #dropping = false;
  /** A character split across two reads is decoded once whole. */
  readonly #decoder = new StringDecoder('utf8');

  constructor(private readonly file: string) {}

  /** The lines completed since the last call. With `final`, the unfinished last line too (the writer has exited). */
  read(final = false): string[] {
    const lines: string[] = [];
    let fd: number | undefined;
    try {
      fd = openSync(this.file, 'r');
      const buf = Buffer.alloc(CHUNK);
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, this.#offset);
        if (n === 0) break;
        this.#offset += n;
        this.#take(this.#decoder.write(buf.subarray(0, n)), lines);
        if (!final && n < CHUNK) break;
      }
    } catch {
      // Not there yet: nothing to read.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    // The writer is done: a character cut at the very end is decoded as what it is, not dropped.
    if (final) this.#take(this.#decoder.end(), lines);
    if (final && this.#partial !== '' && !this.#dropping) lines.push(this.#partial);
    if (final) this.#partial = '';
    return lines;
  }

  #take(text: string, lines: string[]): void {
    const parts = text.split('\n');
    const last = parts.pop() as string;
    for (const part of parts) {
      if (this.#dropping) this.#dropping = false;
      else lines.push(this.#partial + part);
      this.#partial = '';
    }
    if (this.#dropping) return;
    this.#partial += last;
    if (this.#partial.length > MAX_LINE) {
      this.#partial = '';
      this.#dropping = true;
    }
  }
}
