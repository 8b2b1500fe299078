// Word → row lookup for the shipped word vectors without a Map of 40k strings (which costs
// ~10 MB of heap, against the bot's 200 MB budget): the words stay as one byte string, found
// through an open-addressing hash table of row numbers (~0.5 MB in all).

const EMPTY = -1;

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export class WordIndex {
  private readonly table: Int32Array;
  private readonly mask: number;

  /** `bytes` holds the words one after another, word i at offsets[i]..offsets[i+1] (Latin-1). */
  private constructor(
    private readonly bytes: Uint8Array,
    private readonly offsets: Int32Array,
  ) {
    const count = offsets.length - 1;
    let size = 1;
    while (size < 2 * count) size *= 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let i = 0; i < count; i++) {
      let slot = hashString(this.word(i)) & this.mask;
      while (this.table[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.table[slot] = i;
    }
  }

  /** Words separated by "\n", each made of single-byte characters (the file's are a–z). */
  static fromList(list: Uint8Array): WordIndex {
    const starts = [0];
    for (let i = 0; i < list.length; i++) if (list[i] === 10) starts.push(i + 1);
    starts.push(list.length + 1);
    const count = starts.length - 1;
    const bytes = new Uint8Array(list.length - (count - 1));
    const offsets = new Int32Array(count + 1);
    let at = 0;
    for (let w = 0; w < count; w++) {
      offsets[w] = at;
      const from = starts[w]!;
      const to = starts[w + 1]! - 1;
      bytes.set(list.subarray(from, to), at);
      at += to - from;
    }
    offsets[count] = at;
    return new WordIndex(bytes, offsets);
  }

  get size(): number {
    return this.offsets.length - 1;
  }

  word(i: number): string {
    let s = "";
    for (let j = this.offsets[i]!; j < this.offsets[i + 1]!; j++) {
      s += String.fromCharCode(this.bytes[j]!);
    }
    return s;
  }

  /** Row of `word`, or -1. */
  get(word: string): number {
    let slot = hashString(word) & this.mask;
    for (;;) {
      const i = this.table[slot]!;
      if (i === EMPTY) return -1;
      if (this.equals(i, word)) return i;
      slot = (slot + 1) & this.mask;
    }
  }

  private equals(i: number, word: string): boolean {
    const from = this.offsets[i]!;
    if (this.offsets[i + 1]! - from !== word.length) return false;
    for (let j = 0; j < word.length; j++) {
      if (this.bytes[from + j] !== word.charCodeAt(j)) return false;
    }
    return true;
  }
}
