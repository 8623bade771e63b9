/**
 * Offsets to 1-based line:column. Files are registered once when read, so a
 * diagnostic can be printed long after parsing without reading the file again.
 */
export class SourceText {
  #starts: number[] | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /** Where each line starts, worked out on the first question: a config without mistakes never asks. */
  get #lineStarts(): number[] {
    if (this.#starts) return this.#starts;
    const starts = [0];
    // indexOf, not a loop over every character: on a cold start that loop runs in the interpreter.
    for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
    return (this.#starts = starts);
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const starts = this.#lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  }

  /** The text of a 1-based line, without its newline. */
  lineText(line: number): string {
    const start = this.#lineStarts[line - 1] ?? this.text.length;
    const next = this.#lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}

export type SourceStore = Map<string, SourceText>;
