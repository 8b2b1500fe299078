// IntentMatcher: trains on example phrases (any mix of languages) and ranks intents for a message
// with a calibrated confidence. Ranking comes from a linear classifier; confidence also asks how
// close the message is to a taught example, so unknown topics score low even with few intents.

import {
  type ClassifierOptions,
  DEFAULT_CLASSIFIER_OPTIONS,
  LinearClassifier,
} from "./classifier.ts";
import { DEFAULT_DENSE_OPTIONS, DenseModel, type DenseOptions } from "./dense.ts";
import {
  DEFAULT_FEATURE_OPTIONS,
  extractTokenFeatures,
  type FeatureOptions,
  type SparseVector,
  Vocabulary,
} from "./features.ts";
import { words } from "./normalize.ts";
import { ExampleIndex } from "./similarity.ts";
import { SpellingIndex, type WordList } from "./spelling.ts";
import { shippedWordVectors, type WordVectors } from "./word-vectors.ts";

export interface TrainingExample {
  intent: string;
  text: string;
  /** Informational: one model serves all languages (scripts and n-grams keep them apart). */
  locale?: string;
}

export interface IntentScore {
  intent: string;
  /** Calibrated in [0, 1]; compare with DEFAULT_MATCH_THRESHOLD. */
  confidence: number;
}

export interface KeywordSet {
  intent: string;
  locale?: string;
  words: string[];
}

export interface MatcherOptions {
  /** Feature extraction knobs (n-gram ranges, group weights). */
  features?: Partial<FeatureOptions>;
  /** Classifier knobs (epochs, learning rate, L2, seed). */
  classifier?: Partial<ClassifierOptions>;
  /** Softmax temperature applied to the classifier's logits before confidence. */
  temperature?: number;
  /**
   * Share of the confidence that comes from similarity to the nearest example of the intent
   * (0 = classifier probability only, 1 = similarity only); a weighted geometric mean.
   */
  similarityWeight?: number;
  /** Cosine to the nearest taught example at which the similarity factor is 0.5. */
  similarityMidpoint?: number;
  /** Width of the similarity sigmoid: smaller = sharper in/out-of-scope boundary. */
  similarityWidth?: number;
  /** Logit bonus when one of an intent's keywords occurs in the message. */
  keywordBoost?: number;
  /** How many of the classifier's best intents get a full confidence score (≥ limit). */
  candidates?: number;
  /** Replace unknown words by a taught word one typo away before matching. */
  spelling?: boolean;
  /** Words that are real words though not taught (the typo repair brings them only to a taught
   * inflection of themselves); the word vectors' words count as real too. */
  realWords?: WordList;
  /** Keywords strongly suggest an intent (a flow's keywords per locale). */
  keywords?: KeywordSet[];
  /**
   * Word vectors for the word-meaning classifier: the shipped English vectors by default, null
   * for lexical features only (the matcher as it was before word vectors).
   */
  wordVectors?: WordVectors | null;
  /** Word-meaning classifier knobs (its weight beside the lexical classifier, training length). */
  dense?: Partial<DenseOptions>;
}

/**
 * Defaults chosen on BANKING77 / CLINC150 dev data (see bench/nlu.ts); the word-meaning knobs
 * on 10-shot samples scored on the BANKING77 train rows not sampled, and on CLINC150's val-tune
 * half, never on the held-out halves.
 */
export const DEFAULT_MATCHER_OPTIONS = {
  features: { ...DEFAULT_FEATURE_OPTIONS },
  classifier: { ...DEFAULT_CLASSIFIER_OPTIONS },
  temperature: 1,
  similarityWeight: 0.5,
  similarityMidpoint: 0.3,
  similarityWidth: 0.04,
  keywordBoost: 2,
  spelling: true,
  candidates: 5,
  dense: { ...DEFAULT_DENSE_OPTIONS },
};

interface CompiledKeyword {
  intent: number;
  tokens: string[];
}

/** A keyword token matches a word equal to it, or (from 4 letters on) a word it starts: "парол" ~ "пароля". */
function tokenMatches(word: string, kw: string): boolean {
  return kw.length >= 4 ? word.startsWith(kw) : word === kw;
}

function keywordOccurs(tokens: string[], kw: string[]): boolean {
  if (kw.length === 0 || kw.length > tokens.length) return false;
  outer: for (let i = 0; i + kw.length <= tokens.length; i++) {
    for (let j = 0; j < kw.length; j++) if (!tokenMatches(tokens[i + j]!, kw[j]!)) continue outer;
    return true;
  }
  return false;
}

export class IntentMatcher {
  private readonly logits: Float64Array;
  private readonly denseScratch: Float64Array;

  private constructor(
    private readonly intents: string[],
    private readonly featureOptions: FeatureOptions,
    private readonly vocab: Vocabulary | null,
    private readonly classifier: LinearClassifier | null,
    private readonly index: ExampleIndex | null,
    private readonly keywords: CompiledKeyword[],
    private readonly spelling: SpellingIndex | null,
    private readonly dense: DenseModel | null,
    private readonly settings: {
      temperature: number;
      similarityWeight: number;
      similarityMidpoint: number;
      similarityWidth: number;
      keywordBoost: number;
      candidates: number;
    },
  ) {
    this.logits = new Float64Array(intents.length);
    this.denseScratch = new Float64Array(intents.length);
  }

  /** Intents known to the matcher, in column order. */
  get intentNames(): readonly string[] {
    return this.intents;
  }

  static train(examples: TrainingExample[], options: MatcherOptions = {}): IntentMatcher {
    const featureOptions: FeatureOptions = {
      ...DEFAULT_MATCHER_OPTIONS.features,
      ...options.features,
    };
    const classifierOptions = { ...DEFAULT_MATCHER_OPTIONS.classifier, ...options.classifier };
    const settings = {
      temperature: options.temperature ?? DEFAULT_MATCHER_OPTIONS.temperature,
      similarityWeight: options.similarityWeight ?? DEFAULT_MATCHER_OPTIONS.similarityWeight,
      similarityMidpoint: options.similarityMidpoint ?? DEFAULT_MATCHER_OPTIONS.similarityMidpoint,
      similarityWidth: options.similarityWidth ?? DEFAULT_MATCHER_OPTIONS.similarityWidth,
      keywordBoost: options.keywordBoost ?? DEFAULT_MATCHER_OPTIONS.keywordBoost,
      candidates: options.candidates ?? DEFAULT_MATCHER_OPTIONS.candidates,
    };

    // Keywords are also short training examples: "password" alone should route like a sentence.
    const texts: { intent: string; tokens: string[] }[] = [];
    for (const ex of Array.isArray(examples) ? examples : []) {
      if (!ex || typeof ex.intent !== "string") continue;
      texts.push({ intent: ex.intent, tokens: words(ex.text) });
    }
    const keywordSets = options.keywords ?? [];
    for (const set of keywordSets) {
      for (const w of set.words ?? []) texts.push({ intent: set.intent, tokens: words(w) });
    }
    // Canonical order (by intent, then text): the model does not depend on the order examples
    // were given in, only on their content and the seed.
    const usable = texts
      .filter((t) => t.tokens.length > 0)
      .map((t) => ({ ...t, key: `${t.intent}\u0000${t.tokens.join(" ")}` }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // Sorted intent names: the model does not depend on the order examples were given in.
    const intents = [...new Set(usable.map((t) => t.intent))].sort();
    const column = new Map(intents.map((name, i) => [name, i]));

    const keywords: CompiledKeyword[] = [];
    for (const set of keywordSets) {
      const k = column.get(set.intent);
      if (k === undefined) continue;
      for (const w of set.words ?? []) {
        const tokens = words(w);
        if (tokens.length > 0) keywords.push({ intent: k, tokens });
      }
    }

    if (intents.length === 0) {
      return new IntentMatcher([], featureOptions, null, null, null, [], null, null, settings);
    }
    const counts = usable.map((t) => extractTokenFeatures(t.tokens, featureOptions));
    const vocab = Vocabulary.fit(counts, featureOptions);
    const xs = counts.map((c) => vocab.vectorize(c));
    const ys = usable.map((t) => column.get(t.intent)!);
    const classifier = LinearClassifier.train(
      xs,
      ys,
      vocab.size,
      intents.length,
      classifierOptions,
    );
    const index = new ExampleIndex(xs, ys, intents.length);
    const wordVectors =
      options.wordVectors === undefined ? shippedWordVectors() : options.wordVectors;
    let spelling: SpellingIndex | null = null;
    if (options.spelling ?? DEFAULT_MATCHER_OPTIONS.spelling) {
      const counts = new Map<string, number>();
      for (const t of usable) for (const w of t.tokens) counts.set(w, (counts.get(w) ?? 0) + 1);
      spelling = new SpellingIndex(counts, eitherList(options.realWords, wordVectors));
    }
    const denseOptions = { ...DEFAULT_MATCHER_OPTIONS.dense, ...options.dense };
    const dense =
      wordVectors && denseOptions.weight > 0
        ? DenseModel.train(
            usable.map((t) => t.tokens),
            ys,
            intents.length,
            wordVectors,
            denseOptions,
          )
        : null;
    return new IntentMatcher(
      intents,
      featureOptions,
      vocab,
      classifier,
      index,
      keywords,
      spelling,
      dense,
      settings,
    );
  }

  /** The message as a feature vector (exposed for diagnostics and benchmarks). */
  vectorize(text: string): { vector: SparseVector; tokens: string[] } | null {
    if (!this.vocab) return null;
    const raw = words(text);
    if (raw.length === 0) return null;
    const spelling = this.spelling;
    const tokens = spelling ? raw.map((w) => spelling.correct(w)) : raw;
    return {
      vector: this.vocab.vectorize(extractTokenFeatures(tokens, this.featureOptions)),
      tokens,
    };
  }

  /**
   * Ranked best-first, at most `limit` (default 5). Never throws: text with nothing the matcher
   * knows (empty, emoji, noise) gives [].
   */
  match(text: string, options: { limit?: number } = {}): IntentScore[] {
    try {
      return this.rank(text, options.limit ?? 5);
    } catch {
      // A matcher bug must not take a conversation down; "no idea" is always a safe answer.
      return [];
    }
  }

  private rank(text: string, limit: number): IntentScore[] {
    const K = this.intents.length;
    const n = Math.min(Math.max(0, Math.floor(limit)), K);
    if (n === 0 || !this.classifier || !this.index) return [];
    const v = this.vectorize(text);
    if (!v || v.vector.idx.length === 0) return [];
    const logits = this.classifier.scores(v.vector, this.logits);
    const withDense = this.dense?.addScores(v.tokens, logits, this.denseScratch) ?? false;
    const { temperature, similarityWeight, similarityMidpoint, similarityWidth, keywordBoost } =
      this.settings;
    // Temperature first, keywords after: a keyword lifts its intent by the same amount whether
    // or not the word-meaning classifier took part (and so had its temperature applied).
    const scale = 1 / (temperature * (withDense ? this.dense!.temperature : 1));
    for (let k = 0; k < K; k++) logits[k]! *= scale;
    const hit = new Set<number>();
    for (const kw of this.keywords) {
      if (!hit.has(kw.intent) && keywordOccurs(v.tokens, kw.tokens)) hit.add(kw.intent);
    }
    for (const k of hit) logits[k]! += keywordBoost;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (logits[k]! > max) max = logits[k]!;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(logits[k]! - max);
      logits[k] = e;
      sum += e;
    }
    // Confidence also weighs similarity, so it can reorder the classifier's ranking: score a few
    // more candidates than asked for, so the answer does not depend on `limit`.
    const top = topK(logits, Math.min(K, Math.max(n, this.settings.candidates)));
    const scored: IntentScore[] = [];
    for (const k of top) {
      const p = logits[k]! / sum;
      // Candidates come in falling p and s ≤ 1, so p^(1−w) bounds this and every later
      // confidence: once it cannot enter the top n, the (costly) similarity is not computed.
      const bound = p ** (1 - similarityWeight);
      if (scored.length >= n && bound <= nthLargest(scored, n)) break;
      // Confidence = weighted geometric mean of two calibrated factors:
      //  - p: the classifier's softmax probability (which intent, among the known ones);
      //  - s: a sigmoid of the cosine to the nearest taught example of that intent (is it
      //    known at all). p alone stays high for off-topic text when there are few intents;
      //    s does not depend on the number of intents. Midpoint/width were fitted on CLINC150 val.
      let s = 1;
      if (similarityWeight > 0) {
        const sim = this.index.nearest(v.vector, [k])[0] ?? 0;
        s = 1 / (1 + Math.exp(-(sim - similarityMidpoint) / similarityWidth));
      }
      if (hit.has(k)) s = Math.max(s, 0.9); // the flow author's keyword is evidence of its own
      const confidence = bound * s ** similarityWeight;
      scored.push({
        intent: this.intents[k]!,
        confidence: Number.isFinite(confidence) ? confidence : 0,
      });
    }
    scored.sort((a, b) => b.confidence - a.confidence || (a.intent < b.intent ? -1 : 1));
    return scored.slice(0, n);
  }
}

/** Words in either list ("blank" is an English word, so it is not a typo of a taught "bank"). */
function eitherList(a: WordList | undefined, b: WordList | null): WordList | undefined {
  if (!a || !b) return a ?? b ?? undefined;
  return { has: (word) => a.has(word) || b.has(word) };
}

function nthLargest(scored: IntentScore[], n: number): number {
  return scored.map((x) => x.confidence).sort((a, b) => b - a)[n - 1]!;
}

/** Indices of the n largest values, largest first (n is small: a partial selection). */
function topK(values: Float64Array, n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (out.length < n) {
      out.push(k);
    } else if (v > values[out[n - 1]!]!) {
      out[n - 1] = k;
    } else continue;
    for (let i = out.length - 1; i > 0 && values[out[i]!]! > values[out[i - 1]!]!; i--) {
      const t = out[i]!;
      out[i] = out[i - 1]!;
      out[i - 1] = t;
    }
  }
  return out;
}
