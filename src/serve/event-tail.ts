import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** How much of the record one read takes: what a client can cost beyond its socket's buffer. */
export const TAIL_CHUNK = 64 * 1024;
/** A line longer than this is not an event orchestra wrote; it is counted and skipped, never held whole. */
export const MAX_EVENT_LINE = 1024 * 1024;

/**
 * Follows an append-only JSONL file: hands over each complete line once, with
 * its 1-based line number, and keeps a half-written last line until its
 * newline arrives. Polls the file size, which works the same on every
 * platform and for a file that does not exist yet.
 *
 * Reads a chunk at a time, and stops reading while the reader is full: when
 * `onLine` returns false (a socket's buffer is full), nothing more is read
 * until `resume()`. A client that does not read costs a chunk, not the record.
 */
export class EventTail {
  #offset = 0;
  #line = 0;
  #rest = Buffer.alloc(0);
  #skipping = false;
  #paused = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    /** Lines up to this number were seen already and are skipped. */
    private readonly after: number,
    /** False: the reader is full; call `resume()` when it has room. */
    private readonly onLine: (id: number, line: string) => unknown,
  ) {}

  /** Reads what is there now, then again every `pollMs`. */
  start(pollMs: number): void {
    this.poll();
    this.#timer = setInterval(() => this.poll(), pollMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  get paused(): boolean {
    return this.#paused;
  }

  resume(): void {
    this.#paused = false;
    this.poll();
  }

  poll(): void {
    while (!this.#paused) {
      const chunk = this.#read();
      if (chunk === undefined || chunk.length === 0) return;
      this.#take(chunk);
    }
  }

  #read(): Buffer | undefined {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return undefined; // not written yet
    }
    if (size <= this.#offset) return undefined;
    const chunk = Buffer.alloc(Math.min(size - this.#offset, TAIL_CHUNK));
    const fd = openSync(this.file, 'r');
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, this.#offset);
    } finally {
      closeSync(fd);
    }
    this.#offset += n;
    return chunk.subarray(0, n);
  }

  /** Hands over the chunk's complete lines (all of them, even once the reader is full: a chunk is bounded). */
  #take(chunk: Buffer): void {
    let buf = this.#rest.length ? Buffer.concat([this.#rest, chunk]) : chunk;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10)) {
      const skipped = this.#skipping || nl > MAX_EVENT_LINE;
      this.#skipping = false;
      const line = skipped ? '' : buf.subarray(0, nl).toString('utf8');
      buf = buf.subarray(nl + 1);
      this.#line++;
      if (this.#line > this.after && line.trim() && this.onLine(this.#line, line) === false) this.#paused = true;
    }
    if (buf.length > MAX_EVENT_LINE) {
      this.#skipping = true;
      buf = Buffer.alloc(0);
    }
    this.#rest = this.#skipping ? Buffer.alloc(0) : Buffer.from(buf);
  }
}
