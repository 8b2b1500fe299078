// Public face of the NLU module: intent matching and language detection.
// The engine imports only from here; everything else in src/nlu is an implementation detail.

export { detectLanguage } from "./language.ts";
export {
  DEFAULT_MATCHER_OPTIONS,
  IntentMatcher,
  type IntentScore,
  type KeywordSet,
  type MatcherOptions,
  type TrainingExample,
} from "./matcher.ts";
export { normalizeText, words } from "./normalize.ts";

/**
 * Below this confidence the caller treats the best match as "I don't know" (out of scope).
 * Chosen on CLINC150 val + oos_val by bench/nlu.ts: the rule "highest out-of-scope recall that
 * keeps in-scope accuracy (right intent AND above threshold) ≥ 90%" lands at ≈0.26; rounded down
 * to 0.25 so in-scope accuracy keeps a little headroom. Small support sets (a few intents, a few
 * phrases each) put taught paraphrases near 0.8–1 and off-topic text below 0.2, so the same value
 * works there (see test/nlu).
 */
export const DEFAULT_MATCH_THRESHOLD = 0.25;
