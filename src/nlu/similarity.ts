// Nearest-example similarity: the best cosine between a message and the stored examples of one
// intent. Unlike softmax probabilities it does not depend on how many intents exist, so it tells
// "close to something the bot was taught" from "far from everything" (out of scope).

import type { SparseVector } from "./features.ts";

/**
 * One intent's examples as an inverted index (feature → examples holding it, with values).
 * A message shares only ~20% of an example's features, so walking the shared features' postings
 * is several times cheaper than a dot product with every example.
 */
interface IntentPostings {
  /** Sorted feature columns present in this intent's examples. */
  features: Int32Array;
  /** postings of features[i] are entries offsets[i] .. offsets[i+1]-1. */
  offsets: Int32Array;
  examples: Int32Array;
  values: Float32Array;
  count: number;
}

function buildPostings(vectors: SparseVector[]): IntentPostings {
  const byFeature = new Map<number, { e: number[]; v: number[] }>();
  vectors.forEach((vec, e) => {
    for (let j = 0; j < vec.idx.length; j++) {
      const col = vec.idx[j]!;
      let p = byFeature.get(col);
      if (!p) {
        p = { e: [], v: [] };
        byFeature.set(col, p);
      }
      p.e.push(e);
      p.v.push(vec.val[j]!);
    }
  });
  const features = Int32Array.from(byFeature.keys()).sort();
  const offsets = new Int32Array(features.length + 1);
  let total = 0;
  features.forEach((col, i) => {
    offsets[i] = total;
    total += byFeature.get(col)!.e.length;
  });
  offsets[features.length] = total;
  const examples = new Int32Array(total);
  const values = new Float32Array(total);
  features.forEach((col, i) => {
    const p = byFeature.get(col)!;
    examples.set(p.e, offsets[i]!);
    values.set(p.v, offsets[i]!);
  });
  return { features, offsets, examples, values, count: vectors.length };
}

function findColumn(sorted: Int32Array, col: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === col) return mid;
    if (v < col) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export class ExampleIndex {
  private readonly postings: IntentPostings[];
  /** Scratch accumulator, one slot per example of the largest intent; reused between calls. */
  private readonly acc: Float64Array;

  constructor(vectors: SparseVector[], labels: number[], numIntents: number) {
    const grouped: SparseVector[][] = Array.from({ length: numIntents }, () => []);
    vectors.forEach((v, i) => {
      if (v.idx.length > 0) grouped[labels[i]!]!.push(v);
    });
    this.postings = grouped.map(buildPostings);
    this.acc = new Float64Array(Math.max(1, ...grouped.map((g) => g.length)));
  }

  /** Best cosine between `query` and any example of each intent in `intents` (vectors are unit length). */
  nearest(query: SparseVector, intents: number[]): number[] {
    const acc = this.acc;
    return intents.map((k) => {
      const p = this.postings[k];
      if (!p || p.count === 0) return 0;
      acc.fill(0, 0, p.count);
      for (let j = 0; j < query.idx.length; j++) {
        const at = findColumn(p.features, query.idx[j]!);
        if (at < 0) continue;
        const q = query.val[j]!;
        for (let r = p.offsets[at]!; r < p.offsets[at + 1]!; r++) {
          acc[p.examples[r]!]! += q * p.values[r]!;
        }
      }
      let best = 0;
      for (let e = 0; e < p.count; e++) if (acc[e]! > best) best = acc[e]!;
      return Math.min(1, best);
    });
  }
}
