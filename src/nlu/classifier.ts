// Multinomial logistic regression over sparse vectors, trained by seeded SGD.
// Discriminative weights beat nearest-neighbour on many-intent sets because they learn which
// n-grams separate similar intents (e.g. "card arrival" vs "card delivery estimate").

import type { SparseVector } from "./features.ts";

export interface ClassifierOptions {
  /** Passes over the data. */
  epochs: number;
  /** Initial learning rate; decays linearly to 10% of it over training. */
  learningRate: number;
  /** L2 penalty per example. */
  l2: number;
  /** Seed for the shuffling: same data and seed give the same model. */
  seed: number;
  /** Gradient entries smaller than this are not applied (speed; they barely matter). Also the
   * probability below which a class drops out of an example's candidate set between full passes. */
  minGradient: number;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = {
  epochs: 12,
  learningRate: 3,
  l2: 1e-5,
  seed: 7,
  minGradient: 1e-2,
};

/** Small, fast, seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** Weights stored feature-major (row = feature, K classes contiguous) so scoring walks memory linearly. */
export class LinearClassifier {
  private constructor(
    readonly numClasses: number,
    readonly weights: Float32Array,
    readonly bias: Float32Array,
  ) {}

  static train(
    xs: SparseVector[],
    ys: number[],
    numFeatures: number,
    numClasses: number,
    options: Partial<ClassifierOptions> = {},
  ): LinearClassifier {
    const o = { ...DEFAULT_CLASSIFIER_OPTIONS, ...options };
    const K = numClasses;
    const w = new Float32Array(numFeatures * K);
    const b = new Float64Array(K);
    // L2 as a global scale: W = scale · w, so decay costs O(1) instead of touching every weight.
    let scale = 1;
    const scores = new Float64Array(K);
    const activeK = new Int32Array(K);
    const activeStep = new Float64Array(K);
    const rand = seededRandom(o.seed);
    const order = xs.map((_, i) => i);
    const total = Math.max(1, o.epochs * xs.length);
    // Speed: after a full pass, most classes have negligible probability for a given example.
    // Between full passes (every `refreshEvery` epochs) only the classes that mattered last time
    // (plus the true one) are scored and updated; that is the softmax restricted to the classes
    // that carry nearly all of its mass, and it makes training several times faster.
    const candidates: (Int32Array | null)[] = xs.map(() => null);
    const all = Int32Array.from({ length: K }, (_, k) => k);
    const refreshEvery = 4;
    let step = 0;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      shuffleInPlace(order, rand);
      const full = epoch % refreshEvery === 0;
      for (const i of order) {
        const x = xs[i]!;
        const y = ys[i]!;
        const lr = o.learningRate * (1 - (0.9 * step) / total);
        step++;
        const cls = full ? all : (candidates[i] ?? all);
        const nc = cls.length;
        // Forward: scores and softmax over the classes in play.
        for (let c = 0; c < nc; c++) scores[c] = b[cls[c]!]!;
        if (nc === K) {
          for (let j = 0; j < x.idx.length; j++) {
            const base = x.idx[j]! * K;
            const v = x.val[j]! * scale;
            for (let k = 0; k < K; k++) scores[k]! += v * w[base + k]!;
          }
        } else {
          for (let j = 0; j < x.idx.length; j++) {
            const base = x.idx[j]! * K;
            const v = x.val[j]! * scale;
            for (let c = 0; c < nc; c++) scores[c]! += v * w[base + cls[c]!]!;
          }
        }
        scale *= 1 - lr * o.l2;
        if (scale < 1e-6) {
          for (let q = 0; q < w.length; q++) w[q]! *= scale;
          scale = 1;
        }
        let max = -Infinity;
        for (let c = 0; c < nc; c++) if (scores[c]! > max) max = scores[c]!;
        let sum = 0;
        for (let c = 0; c < nc; c++) {
          const e = Math.exp(scores[c]! - max);
          scores[c] = e;
          sum += e;
        }
        if (full) {
          const keep: number[] = [];
          for (let k = 0; k < K; k++) if (k === y || scores[k]! / sum > o.minGradient) keep.push(k);
          candidates[i] = Int32Array.from(keep);
        }
        // Gradient of cross-entropy: p - onehot(y). Entries below minGradient are skipped: early
        // on every wrong class sits near 1/K, so an update mostly pulls the true class up; later
        // only the confusable classes are pushed down. Classes are collected first so the update
        // walks each feature's row contiguously (a class-outer loop would stride through memory).
        let na = 0;
        for (let c = 0; c < nc; c++) {
          const k = cls[c]!;
          const g = scores[c]! / sum - (k === y ? 1 : 0);
          if (g > -o.minGradient && g < o.minGradient) continue;
          activeK[na] = k;
          activeStep[na] = (lr * g) / scale;
          na++;
          b[k]! -= lr * g;
        }
        for (let j = 0; j < x.idx.length; j++) {
          const base = x.idx[j]! * K;
          const v = x.val[j]!;
          for (let a = 0; a < na; a++) w[base + activeK[a]!]! -= activeStep[a]! * v;
        }
      }
    }
    const weights = new Float32Array(w.length);
    for (let q = 0; q < w.length; q++) weights[q] = w[q]! * scale;
    return new LinearClassifier(K, weights, Float32Array.from(b));
  }

  /** Raw scores (logits) for every class. */
  scores(x: SparseVector, out: Float64Array = new Float64Array(this.numClasses)): Float64Array {
    const K = this.numClasses;
    const w = this.weights;
    for (let k = 0; k < K; k++) out[k] = this.bias[k]!;
    for (let j = 0; j < x.idx.length; j++) {
      const base = x.idx[j]! * K;
      const v = x.val[j]!;
      for (let k = 0; k < K; k++) out[k]! += v * w[base + k]!;
    }
    return out;
  }
}
