// Word meaning for the matcher: compact English word vectors (GloVe, 40k most frequent words,
// int8; built by scripts/build-word-vectors.ts) turned into a fixed-size sentence vector.
// Lexical features only know that "withdraw" and "cash" are different strings; the vectors know
// they are related, which is what few-shot intent sets (10 phrases per intent) are missing.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WordIndex } from "./word-index.ts";

const MAGIC = "FLWV";
/** SIF smoothing (Arora et al. 2017): weight a / (a + p(word)); frequent words count less. */
const SIF_A = 1e-3;
/** Words weighted below this ("the", "my", "is") are left out of the max-pooled half. */
const MAX_POOL_MIN_WEIGHT = 0.3;

export class WordVectors {
  private constructor(
    private readonly index: WordIndex,
    private readonly scales: Float32Array,
    private readonly values: Int8Array,
    /** Dimensions of one word vector; a sentence vector has twice as many (mean and max). */
    readonly dims: number,
    private readonly weights: Float32Array,
  ) {}

  get size(): number {
    return this.scales.length;
  }

  /** Length of the vectors `sentence` fills. */
  get sentenceDims(): number {
    return 2 * this.dims;
  }

  static fromBuffer(buf: Buffer): WordVectors {
    if (buf.length < 20 || buf.toString("latin1", 0, 4) !== MAGIC || buf.readUInt32LE(4) !== 1) {
      throw new Error("word vectors: not a FLWV v1 file");
    }
    const count = buf.readUInt32LE(8);
    const dims = buf.readUInt32LE(12);
    const wordBytes = buf.readUInt32LE(16);
    const scalesAt = 20 + ((wordBytes + 3) & ~3);
    const valuesAt = scalesAt + 4 * count;
    if (buf.length < valuesAt + count * dims) throw new Error("word vectors: file is truncated");
    const index = WordIndex.fromList(new Uint8Array(buf.subarray(20, 20 + wordBytes)));
    if (index.size !== count) throw new Error("word vectors: word count mismatch");
    // Copies: the typed arrays then own aligned memory and the file buffer can be collected.
    const scales = new Float32Array(count);
    for (let i = 0; i < count; i++) scales[i] = buf.readFloatLE(scalesAt + 4 * i);
    const values = new Int8Array(count * dims);
    values.set(new Int8Array(buf.buffer, buf.byteOffset + valuesAt, count * dims));
    // The file lists words by corpus frequency, so a Zipf estimate of p(word) from the rank is
    // enough for SIF weights: p ≈ 1 / ((rank + 10) · ln(count)).
    const weights = new Float32Array(count);
    const h = Math.log(Math.max(2, count));
    for (let i = 0; i < count; i++) {
      const p = 1 / ((i + 10) * h);
      weights[i] = SIF_A / (SIF_A + p);
    }
    return new WordVectors(index, scales, values, dims, weights);
  }

  static load(path: string): WordVectors {
    return WordVectors.fromBuffer(readFileSync(path));
  }

  has(word: string): boolean {
    return this.index.get(word) >= 0;
  }

  /**
   * Sentence vector of tokens into `out` (length sentenceDims): the SIF-weighted mean of the known
   * words' vectors (unit length) followed by their element-wise max-magnitude (unit length), which
   * keeps a single telling word from being averaged away. Returns how many tokens were known
   * (0: nothing was written but zeros).
   */
  sentence(tokens: readonly string[], out: Float32Array): number {
    const D = this.dims;
    out.fill(0);
    let known = 0;
    for (const tok of tokens) {
      const i = this.index.get(tok);
      if (i < 0) continue;
      known++;
      const wt = this.weights[i]!;
      const s = this.scales[i]!;
      const base = i * D;
      const pool = wt >= MAX_POOL_MIN_WEIGHT;
      for (let d = 0; d < D; d++) {
        const v = this.values[base + d]! * s;
        out[d]! += wt * v;
        if (pool && Math.abs(v) > Math.abs(out[D + d]!)) out[D + d] = v;
      }
    }
    if (known === 0) return 0;
    normalize(out, 0, D);
    normalize(out, D, 2 * D);
    return known;
  }
}

/** Scales out[from..to) to unit length (left as is when all zero). */
export function normalize(out: Float32Array, from: number, to: number): void {
  let n = 0;
  for (let d = from; d < to; d++) n += out[d]! * out[d]!;
  if (n === 0) return;
  const inv = 1 / Math.sqrt(n);
  for (let d = from; d < to; d++) out[d]! *= inv;
}

let shipped: WordVectors | null | undefined;

/**
 * The English vectors shipped in src/nlu/data, loaded once on first use (~4 MB, a few tens of
 * ms). Null when the file is missing or damaged: the matcher then works on lexical features alone.
 */
export function shippedWordVectors(): WordVectors | null {
  if (shipped === undefined) {
    try {
      shipped = WordVectors.load(fileURLToPath(new URL("./data/en-words.bin", import.meta.url)));
    } catch {
      shipped = null;
    }
  }
  return shipped;
}
