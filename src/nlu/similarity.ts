// Nearest-example similarity: the best cosine between a message and the stored examples of one
// intent. Unlike softmax probabilities it does not depend on how many intents exist, so it tells
// "close to something the bot was taught" from "far from everything" (out of scope).

import type { SparseVector } from "./features.ts";

export class ExampleIndex {
  /** Examples grouped by intent: byIntent[k] lists vectors of intent k. */
  private readonly byIntent: SparseVector[][];
  /** Scratch dense copy of the query; sized to the vocabulary, reused between calls. */
  private readonly scratch: Float32Array;

  constructor(vectors: SparseVector[], labels: number[], numIntents: number, numFeatures: number) {
    this.byIntent = Array.from({ length: numIntents }, () => []);
    vectors.forEach((v, i) => {
      if (v.idx.length > 0) this.byIntent[labels[i]!]!.push(v);
    });
    this.scratch = new Float32Array(numFeatures);
  }

  /** Best cosine between `query` and any example of each intent in `intents` (vectors are unit length). */
  nearest(query: SparseVector, intents: number[]): number[] {
    const dense = this.scratch;
    for (let j = 0; j < query.idx.length; j++) dense[query.idx[j]!] = query.val[j]!;
    const out = intents.map((k) => {
      let best = 0;
      for (const ex of this.byIntent[k] ?? []) {
        let dot = 0;
        for (let j = 0; j < ex.idx.length; j++) dot += ex.val[j]! * dense[ex.idx[j]!]!;
        if (dot > best) best = dot;
      }
      return Math.min(1, best);
    });
    for (let j = 0; j < query.idx.length; j++) dense[query.idx[j]!] = 0;
    return out;
  }
}
