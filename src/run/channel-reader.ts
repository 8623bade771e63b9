import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE, parseChannelLine, type ChannelEntry } from './channel-entry.js';

/** All an attempt's channel may say: the rest is not read (a flood is the agent's, not the run's, problem). */
const MAX_BYTES = 1024 * 1024;
const POLL_MS = 500;

/**
 * Follows one agent start's channel file while the agent runs, so a note
 * shows in `logs`, `status` and the dashboard as it is written. The file is
 * opened without following a link and read only when it is a regular file (the
 * agent could replace it with a link to a secret or with a FIFO that blocks).
 */
export class ChannelReader {
  #offset = 0;
  #rest = '';
  readonly #decoder = new StringDecoder('utf8');
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly onEntry: (entry: ChannelEntry) => void,
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.#read(), POLL_MS);
    this.#timer.unref();
  }

  /** After the agent: the last lines, and no more polling. */
  stop(): void {
    clearInterval(this.#timer);
    this.#read();
    if (this.#rest) this.#emit(this.#rest);
    this.#rest = '';
  }

  #read(): void {
    if (this.#offset >= MAX_BYTES) return;
    let fd: number;
    try {
      fd = openSync(this.file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return;
    }
    try {
      if (!fstatSync(fd).isFile()) return;
      const buf = Buffer.alloc(Math.min(64 * 1024, MAX_BYTES - this.#offset));
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.#offset);
        if (n <= 0) break;
        this.#offset += n;
        this.#take(this.#decoder.write(buf.subarray(0, n)));
        if (this.#offset >= MAX_BYTES) break;
      }
    } catch {
      // A file that vanished or changed kind mid-read says nothing more.
    } finally {
      closeSync(fd);
    }
  }

  #take(text: string): void {
    const lines = (this.#rest + text).split('\n');
    this.#rest = lines.pop() ?? '';
    // A partial line longer than any entry will never be one.
    if (this.#rest.length > MAX_LINE) this.#rest = '';
    for (const line of lines) this.#emit(line);
  }

  #emit(line: string): void {
    const entry = parseChannelLine(line.trim());
    if (entry) this.onEntry(entry);
  }
}
