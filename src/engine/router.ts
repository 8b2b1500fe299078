// Chooses a flow for free text and the locale of a message, from the flows' own examples.
import type { FlowSet } from "../flows/flowset.ts";
import {
  DEFAULT_MATCH_THRESHOLD,
  detectLanguage,
  IntentMatcher,
  type TrainingExample,
} from "../nlu/index.ts";

export interface FlowMatch {
  flowId: string | null;
  confidence: number;
}

/** Language guesses below this confidence never switch a conversation's locale. */
const LOCALE_SWITCH_CONFIDENCE = 0.8;

export class IntentRouter {
  private readonly matcher: IntentMatcher;
  readonly threshold: number;

  constructor(private readonly set: FlowSet) {
    const examples: TrainingExample[] = [];
    const keywords: { intent: string; locale?: string; words: string[] }[] = [];
    for (const flow of set.flows.values()) {
      for (const [locale, texts] of Object.entries(flow.def.triggers?.examples ?? {})) {
        for (const text of texts) examples.push({ intent: flow.id, text, locale });
      }
      for (const [locale, words] of Object.entries(flow.def.triggers?.keywords ?? {})) {
        keywords.push({ intent: flow.id, locale, words });
      }
    }
    this.matcher = IntentMatcher.train(examples, { keywords });
    this.threshold = set.bot.matchThreshold ?? DEFAULT_MATCH_THRESHOLD;
  }

  /** The best flow, or null (with its confidence) when nothing is confident enough. */
  match(text: string): FlowMatch {
    const [best] = this.matcher.match(text, { limit: 1 });
    if (!best) return { flowId: null, confidence: 0 };
    return {
      flowId: best.confidence >= this.threshold ? best.intent : null,
      confidence: best.confidence,
    };
  }

  /** The locale to speak after this message: the current one unless the text is clearly another. */
  localeFor(text: string, current: string | undefined, hint: string | undefined): string {
    const locales = this.set.bot.locales;
    const fallback =
      current ?? (hint && locales.includes(hint) ? hint : this.set.bot.defaultLocale);
    const guess = detectLanguage(text, locales, fallback);
    if (current === undefined) return guess.confidence >= 0.5 ? guess.locale : fallback;
    return guess.confidence >= LOCALE_SWITCH_CONFIDENCE ? guess.locale : current;
  }
}

/** "en-US" → "en"; anything not a declared locale → undefined. */
export function localeHint(
  platformLocale: string | undefined,
  locales: string[],
): string | undefined {
  const code = platformLocale?.toLowerCase().split(/[-_]/)[0];
  return code && locales.includes(code) ? code : undefined;
}
