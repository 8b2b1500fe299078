// The word-meaning half of the matcher: a softmax classifier over sentence vectors built from
// word vectors (word-vectors.ts). Its logits are added to the lexical classifier's, so a message
// whose words are unseen but related to an intent's examples still leans toward that intent.
// Messages with no word the vectors know (other scripts, codes) get no dense contribution.

import { type ClassifierOptions, LinearClassifier } from "./classifier.ts";
import type { SparseVector } from "./features.ts";
import { normalize, type WordVectors } from "./word-vectors.ts";

export interface DenseOptions {
  /** Weight of the dense logits next to the lexical ones (0 = off). */
  weight: number;
  /**
   * Softmax temperature when dense logits were added: the sum of two classifiers is sharper than
   * either, and this keeps confidences on the lexical classifier's scale, so one threshold
   * (DEFAULT_MATCH_THRESHOLD) serves messages with and without known English words.
   */
  temperature: number;
  /**
   * Share of a text's words the vectors must know for the dense half to take part. The vectors
   * are English: a Polish sentence shares a few short words with them ("a", "nie", "was") whose
   * English meaning would only add noise, so such text stays with the lexical classifier.
   */
  minKnownShare: number;
  /** Steps of SGD ≈ this many examples' worth, spread over whole epochs (clamped 4..40). */
  steps: number;
  classifier: Partial<ClassifierOptions>;
}

export const DEFAULT_DENSE_OPTIONS: DenseOptions = {
  weight: 0.5,
  temperature: 2,
  minKnownShare: 0.5,
  steps: 30_000,
  classifier: { learningRate: 1, l2: 0, minGradient: 1e-2 },
};

export class DenseModel {
  private readonly scratch: Float32Array;

  private constructor(
    private readonly vectors: WordVectors,
    /** Mean of the training sentences' mean-halves: removed so what they share does not dominate. */
    private readonly center: Float32Array,
    private readonly classifier: LinearClassifier,
    private readonly allColumns: Int32Array,
    readonly weight: number,
    readonly temperature: number,
    private readonly minKnownShare: number,
  ) {
    this.scratch = new Float32Array(vectors.sentenceDims);
  }

  /** Null when no training text has a known word (nothing to learn from). */
  static train(
    tokens: readonly (readonly string[])[],
    labels: readonly number[],
    numClasses: number,
    vectors: WordVectors,
    options: DenseOptions,
  ): DenseModel | null {
    const M = vectors.sentenceDims;
    const D = vectors.dims;
    const raw: Float32Array[] = [];
    const ys: number[] = [];
    tokens.forEach((t, i) => {
      const v = new Float32Array(M);
      if (knownEnough(vectors.sentence(t, v), t.length, options.minKnownShare)) {
        raw.push(v);
        ys.push(labels[i]!);
      }
    });
    if (raw.length === 0) return null;
    const center = new Float32Array(D);
    for (const v of raw) for (let d = 0; d < D; d++) center[d]! += v[d]! / raw.length;
    const allColumns = Int32Array.from({ length: M }, (_, d) => d);
    const xs: SparseVector[] = raw.map((v) => {
      centerInPlace(v, center);
      return { idx: allColumns, val: v };
    });
    const epochs = Math.min(40, Math.max(4, Math.round(options.steps / xs.length)));
    const classifier = LinearClassifier.train(xs, ys, M, numClasses, {
      ...options.classifier,
      epochs,
    });
    return new DenseModel(
      vectors,
      center,
      classifier,
      allColumns,
      options.weight,
      options.temperature,
      options.minKnownShare,
    );
  }

  /** Adds weight × dense logits to `logits`; false (nothing added) when no word is known. */
  addScores(tokens: readonly string[], logits: Float64Array, scratch: Float64Array): boolean {
    const v = this.scratch;
    if (!knownEnough(this.vectors.sentence(tokens, v), tokens.length, this.minKnownShare)) {
      return false;
    }
    centerInPlace(v, this.center);
    const s = this.classifier.scores({ idx: this.allColumns, val: v }, scratch);
    for (let k = 0; k < logits.length; k++) logits[k]! += this.weight * s[k]!;
    return true;
  }
}

function knownEnough(known: number, total: number, share: number): boolean {
  return known > 0 && known >= share * total;
}

function centerInPlace(v: Float32Array, center: Float32Array): void {
  for (let d = 0; d < center.length; d++) v[d]! -= center[d]!;
  normalize(v, 0, center.length);
}
