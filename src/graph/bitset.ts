/** A fixed-size set of small integers; unions are word-wide, which keeps reachability cheap. */
export class BitSet {
  readonly words: Uint32Array;

  constructor(size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  add(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] as number) | (1 << (i & 31));
  }

  has(i: number): boolean {
    return (((this.words[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
  }

  addAll(other: BitSet): void {
    const w = this.words;
    const o = other.words;
    for (let k = 0; k < w.length; k++) w[k] = (w[k] as number) | (o[k] as number);
  }
}
