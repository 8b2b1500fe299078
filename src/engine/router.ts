// Chooses a flow for free text and the locale of a message, from the flows' own examples.
import type { FlowSet } from "../flows/flowset.ts";
import {
  DEFAULT_MATCH_THRESHOLD,
  detectLanguage,
  IntentMatcher,
  type IntentScore,
  type TrainingExample,
} from "../nlu/index.ts";
import { ButtonMatcher } from "./button-matcher.ts";
import { LocaleWords, vocabularyOf } from "./vocabulary.ts";

export interface FlowMatch {
  flowId: string | null;
  confidence: number;
  /** How far the best flow leads the next (its confidence minus the runner-up's). */
  lead?: number;
}

/** Language guesses below this confidence never switch a conversation's locale. */
const LOCALE_SWITCH_CONFIDENCE = 0.8;
/** How sure an opening message must be to call a person (paraphrases score 0.46 and up). */
const PERSON_CONFIDENCE = 0.4;
/** How sure an opening message must be to be answered as small talk (route). */
const SMALL_TALK_OPENING_CONFIDENCE = 0.5;
/** How sure the matcher must be that a message is only small talk (isSmallTalk). */
const SMALL_TALK_CONFIDENCE = 0.8;

export class IntentRouter {
  private readonly matcher: IntentMatcher;
  readonly threshold: number;
  readonly buttons: ButtonMatcher;

  private readonly localeWords: LocaleWords;

  constructor(private readonly set: FlowSet) {
    this.localeWords = new LocaleWords(set);
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
    // The flows' own words are real words: "blank" is not a typo of a taught "bank".
    this.matcher = IntentMatcher.train(examples, { keywords, realWords: vocabularyOf(set) });
    this.threshold = set.bot.matchThreshold ?? DEFAULT_MATCH_THRESHOLD;
    this.buttons = new ButtonMatcher(set);
  }

  /**
   * The flow for an opening message. Text without words ("7", "123456", "??") never picks a
   * topic. A greeting in front of a problem ("Hi, my payment did not go through") goes to the
   * problem: when the best match is a conversational flow (the start or menu flow, small
   * talk), the message without its first clause or first words is matched again, and a
   * topical flow found there wins.
   */
  route(text: string): FlowMatch {
    if (!/\p{L}{2,}/u.test(text)) return { flowId: null, confidence: 0 };
    const first = this.match(text);
    if (first.flowId && !this.conversational(first.flowId)) return this.unlessVaguePerson(first);
    for (const rest of remainders(text)) {
      const again = this.match(rest);
      if (again.flowId && !this.conversational(again.flowId)) return this.unlessVaguePerson(again);
    }
    // Small talk is short and clear when it is small talk: a weak match ("I dont have it" as
    // "bye" at 0.34) is not understood, rather than answered with a goodbye.
    const talk = first.flowId ? this.set.flows.get(first.flowId)?.def.smalltalk : false;
    if (talk && first.confidence < SMALL_TALK_OPENING_CONFIDENCE)
      return { flowId: null, confidence: first.confidence };
    return first;
  }

  /** A person is called only on a fairly clear request: a vague one ("cheapest way to get from
   * Rome to Florence" read as the human flow at 0.28) gets the fallback, which offers one. */
  private unlessVaguePerson(match: FlowMatch): FlowMatch {
    const vague = match.flowId === this.set.bot.humanFlow && match.confidence < PERSON_CONFIDENCE;
    return vague ? { flowId: null, confidence: match.confidence } : match;
  }

  /** The start or menu flow, or small talk: never a topic of its own. */
  conversational(flowId: string): boolean {
    const { bot, flows } = this.set;
    return (
      flowId === bot.startFlow ||
      flowId === bot.menuFlow ||
      flows.get(flowId)?.def.smalltalk === true
    );
  }

  /** Text that is only small talk ("thanks", "ok", "bye", "are you a bot"), clearly. */
  isSmallTalk(text: string): boolean {
    const { flowId, confidence } = this.match(text);
    return (
      flowId !== null &&
      confidence >= SMALL_TALK_CONFIDENCE &&
      this.set.flows.get(flowId)?.def.smalltalk === true
    );
  }

  /** The best flow, or null (with its confidence) when nothing is confident enough. */
  match(text: string): FlowMatch {
    // The runner-up costs nothing more: the matcher scores a few candidates anyway.
    const [best, second] = this.matcher.match(text, { limit: 2 });
    if (!best) return { flowId: null, confidence: 0, lead: 0 };
    return {
      flowId: best.confidence >= this.threshold ? best.intent : null,
      confidence: best.confidence,
      lead: best.confidence - (second?.confidence ?? 0),
    };
  }

  /** The matcher's best intents for a text with their scores (the debugger shows them). */
  ranked(text: string, limit = 3): IntentScore[] {
    return this.matcher.match(text, { limit });
  }

  /** The locale to speak after this message: the current one unless the text is clearly another. */
  localeFor(text: string, current: string | undefined, hint: string | undefined): string {
    const locales = this.set.bot.locales;
    const fallback =
      current ?? (hint && locales.includes(hint) ? hint : this.set.bot.defaultLocale);
    const guess = detectLanguage(text, locales, fallback);
    if (current !== undefined)
      return guess.confidence >= LOCALE_SWITCH_CONFIDENCE ? guess.locale : current;
    if (guess.confidence >= 0.5) return guess.locale;
    // A first message too short for letter statistics ("hej", "siema"): the one locale whose
    // flows use its words (a Pole with an English phone writes "siema"). Never later: "tak" or
    // "да" as an answer in an English conversation is not a switch.
    return this.localeWords.localeOf(text) ?? fallback;
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

/** The message without its opening clause, then without its first one or two words. */
function remainders(text: string): string[] {
  const out: string[] = [];
  const clause = /^[^,.!?;:—–]+[,.!?;:—–]+\s*(.+)$/su.exec(text.trim());
  if (clause?.[1] && /\p{L}{2,}/u.test(clause[1])) out.push(clause[1]);
  const words = text.trim().split(/\s+/);
  for (const skip of [1, 2]) if (words.length > skip + 1) out.push(words.slice(skip).join(" "));
  return out;
}
