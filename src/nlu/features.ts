// Sparse lexical features of a message: word unigrams/bigrams and character n-grams inside word
// boundaries, hashed to 32-bit ids, then TF-IDF weighted and L2-normalised against a vocabulary.
// Character n-grams are what make "пароль/пароля/паролем" or "zalogowac/zalogować" look alike.

import { words } from "./normalize.ts";

export interface FeatureOptions {
  /** Shortest character n-gram (within "<word>"). */
  charMin: number;
  /** Longest character n-gram. */
  charMax: number;
  /** Add adjacent-word pairs ("card arrive"); they carry word order the bag of words loses. */
  wordBigrams: boolean;
  /** Add the first N letters of longer words as a crude stem (0 = off): inflection-proof. */
  stemPrefix: number;
  /** Relative weight of each group before the final L2 normalisation. */
  wordWeight: number;
  bigramWeight: number;
  charWeight: number;
}

/** 2–4-grams beat 2–5 and 3–6 on BANKING77 dev (shorter grams survive typos and endings). */
export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  charMin: 2,
  charMax: 4,
  wordBigrams: true,
  stemPrefix: 5,
  wordWeight: 1,
  bigramWeight: 1,
  charWeight: 1,
};

/** Feature groups live in the low 2 bits of a feature id so weights can differ per group. */
const GROUP_WORD = 0;
const GROUP_BIGRAM = 1;
const GROUP_CHAR = 2;
const GROUP_MASK = 3;

const FNV_PRIME = 16777619;

function fnvString(seed: number, s: string): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** Final avalanche (murmur3 fmix32): FNV's low bits are weak and we reuse them for the group. */
function mix(h: number, group: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  // 30 bits: ids stay small integers (V8 Smis), so Map lookups and typed-array reads do not box
  // them into heap numbers; collisions at 2^30 are negligible for vocabularies of ~10^5.
  return (x & 0x3ffffffc) | group;
}

/** Feature ids of a document, sorted and unique, with how often each occurred. */
export interface FeatureCounts {
  ids: Int32Array;
  counts: Int32Array;
}

// Scratch buffer for the ids of one document. Matching is synchronous, so one module-level
// buffer is safe and spares the garbage collector (a per-message Map made GC pauses show in p99).
let scratch = new Int32Array(1024);
let used = 0;

function emit(id: number): void {
  if (used === scratch.length) {
    const bigger = new Int32Array(scratch.length * 2);
    bigger.set(scratch);
    scratch = bigger;
  }
  scratch[used++] = id;
}

/** Raw feature counts of already tokenised text. */
export function extractTokenFeatures(
  tokens: string[],
  opts: FeatureOptions = DEFAULT_FEATURE_OPTIONS,
): FeatureCounts {
  used = 0;
  let prev = -1;
  for (const tok of tokens) {
    const wh = fnvString(0x811c9dc5, tok);
    emit(mix(wh, GROUP_WORD));
    if (opts.stemPrefix > 0 && tok.length > opts.stemPrefix) {
      emit(mix(fnvString(0x2545f491, tok.slice(0, opts.stemPrefix)), GROUP_WORD));
    }
    if (opts.wordBigrams && prev !== -1) {
      emit(mix(Math.imul(prev ^ 0x9e3779b9, FNV_PRIME) ^ wh, GROUP_BIGRAM));
    }
    prev = wh;
    // Character n-grams of "<tok>" (60 = "<", 62 = ">"), computed incrementally per start.
    const len = tok.length + 2;
    for (let i = 0; i < len; i++) {
      let h = 0x01000193;
      for (let n = 1; n <= opts.charMax && i + n <= len; n++) {
        const at = i + n - 1;
        h ^= at === 0 ? 60 : at === len - 1 ? 62 : tok.charCodeAt(at - 1);
        h = Math.imul(h, FNV_PRIME);
        if (n >= opts.charMin) emit(mix(h, GROUP_CHAR));
      }
    }
  }
  // Sort and count runs: sorted unique ids, whatever the order they were produced in.
  const all = scratch.subarray(0, used).sort();
  let unique = 0;
  for (let i = 0; i < used; i++) if (i === 0 || all[i] !== all[i - 1]) unique++;
  const ids = new Int32Array(unique);
  const counts = new Int32Array(unique);
  let u = -1;
  for (let i = 0; i < used; i++) {
    if (i === 0 || all[i] !== all[i - 1]) ids[++u] = all[i]!;
    counts[u]!++;
  }
  return { ids, counts };
}

/** Raw feature counts of a message. */
export function extractFeatures(
  text: string,
  opts: FeatureOptions = DEFAULT_FEATURE_OPTIONS,
): FeatureCounts {
  return extractTokenFeatures(words(text), opts);
}

export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export const EMPTY_VECTOR: SparseVector = { idx: new Int32Array(0), val: new Float32Array(0) };

/** Feature ids seen in training, their column index and IDF. Unknown features are ignored. */
export class Vocabulary {
  private constructor(
    readonly columns: Map<number, number>,
    readonly idf: Float32Array,
    private readonly groupWeight: [number, number, number, number],
    private readonly unseenIdf: number,
  ) {}

  get size(): number {
    return this.idf.length;
  }

  /** Build from the training documents' raw counts; features in fewer than `minDf` documents are dropped. */
  static fit(docs: FeatureCounts[], opts: FeatureOptions, minDf = 1): Vocabulary {
    const df = new Map<number, number>();
    for (const d of docs) for (const id of d.ids) df.set(id, (df.get(id) ?? 0) + 1);
    // Sorted ids give the same column order whatever the insertion order: determinism.
    const ids = [...df.entries()].filter(([, c]) => c >= minDf).map(([id]) => id);
    ids.sort((a, b) => a - b);
    const columns = new Map<number, number>();
    const idf = new Float32Array(ids.length);
    const n = docs.length;
    ids.forEach((id, col) => {
      columns.set(id, col);
      idf[col] = Math.log((1 + n) / (1 + (df.get(id) ?? 0))) + 1;
    });
    return new Vocabulary(
      columns,
      idf,
      [opts.wordWeight, opts.bigramWeight, opts.charWeight, opts.charWeight],
      Math.log(1 + n) + 1,
    );
  }

  /**
   * Sublinear TF × IDF × group weight, L2-normalised. Unknown features count in the norm
   * (with the IDF of a never-seen feature) although they get no column: a message made mostly
   * of words the bot never saw then scores low everywhere, which is what out-of-scope looks like.
   */
  vectorize(doc: FeatureCounts, unknownInNorm = true): SparseVector {
    const { ids, counts } = doc;
    let known = 0;
    let norm = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const col = this.columns.get(id);
      const idf = col === undefined ? this.unseenIdf : this.idf[col]!;
      const v = (1 + Math.log(counts[i]!)) * idf * this.groupWeight[id & GROUP_MASK]!;
      if (col !== undefined) known++;
      else if (!unknownInNorm) continue;
      norm += v * v;
    }
    if (known === 0 || norm === 0) return EMPTY_VECTOR;
    const inv = 1 / Math.sqrt(norm);
    const out = { idx: new Int32Array(known), val: new Float32Array(known) };
    let j = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const col = this.columns.get(id);
      if (col === undefined) continue;
      out.idx[j] = col;
      out.val[j++] =
        (1 + Math.log(counts[i]!)) * this.idf[col]! * this.groupWeight[id & GROUP_MASK]! * inv;
    }
    return out;
  }
}
