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
 * Chosen on CLINC150 val + oos_val by bench/nlu.ts: the threshold that maximises out-of-scope
 * recall while keeping in-scope accuracy (right intent and above threshold) at or above 90%.
 */
export const DEFAULT_MATCH_THRESHOLD = 0.3;
