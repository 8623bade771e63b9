import { closeSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Follows an append-only JSONL file: hands over each complete line once, with
 * its 1-based line number, and keeps a half-written last line until its
 * newline arrives. Polls the file size, which works the same on every
 * platform and for a file that does not exist yet.
 */
export class EventTail {
  #offset = 0;
  #line = 0;
  #rest = Buffer.alloc(0);
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    /** Lines up to this number were seen already and are skipped. */
    private readonly after: number,
    private readonly onLine: (id: number, line: string) => void,
  ) {}

  /** Reads what is there now, then again every `pollMs`. */
  start(pollMs: number): void {
    this.poll();
    this.#timer = setInterval(() => this.poll(), pollMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  poll(): void {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return; // not written yet
    }
    if (size <= this.#offset) return;
    const chunk = Buffer.alloc(size - this.#offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, chunk, 0, chunk.length, this.#offset);
    } finally {
      closeSync(fd);
    }
    this.#offset = size;
    let buf = this.#rest.length ? Buffer.concat([this.#rest, chunk]) : chunk;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10)) {
      const line = buf.subarray(0, nl).toString('utf8');
      buf = buf.subarray(nl + 1);
      this.#line++;
      if (this.#line > this.after && line.trim()) this.onLine(this.#line, line);
    }
    this.#rest = Buffer.from(buf);
  }
}
