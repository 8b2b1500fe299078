// The words a bot's flows use anywhere, in every locale: real words of the bot's languages,
// which the typo repair must not read as typos of a taught word, and for a message too short
// to tell its language by its letters, the one locale whose flows use its words.
import type { FlowSet } from "../flows/flowset.ts";
import type { LocalizedText } from "../flows/schema.ts";
import { words } from "../nlu/index.ts";

/** Every text of the flows with its locale: triggers, questions, texts, labels, examples. */
function eachFlowText(set: FlowSet, visit: (locale: string, text: string) => void): void {
  const perLocale = (texts: Record<string, string[]> | undefined) => {
    for (const [locale, list] of Object.entries(texts ?? {}))
      for (const t of list) visit(locale, t);
  };
  const localized = (text: LocalizedText | undefined) => {
    for (const [locale, t] of Object.entries(text ?? {})) visit(locale, t);
  };
  for (const flow of set.flows.values()) {
    perLocale(flow.def.triggers?.examples);
    perLocale(flow.def.triggers?.keywords);
    for (const step of flow.steps.values()) {
      if ("say" in step) localized(step.say);
      if (!("ask" in step)) continue;
      localized(step.ask);
      for (const b of step.buttons ?? []) {
        localized(b.label);
        perLocale(b.examples);
      }
    }
  }
}

/** Every word of the flows, in any locale. */
export function vocabularyOf(set: FlowSet): Set<string> {
  const out = new Set<string>();
  eachFlowText(set, (_, text) => {
    for (const w of words(text)) out.add(w);
  });
  return out;
}

/** Which locale's flow texts use a word: for messages too short to tell by their letters. */
export class LocaleWords {
  private readonly localesOf = new Map<string, Set<string>>();

  constructor(set: FlowSet) {
    eachFlowText(set, (locale, text) => {
      for (const w of words(text)) {
        const known = this.localesOf.get(w);
        if (known) known.add(locale);
        else this.localesOf.set(w, new Set([locale]));
      }
    });
  }

  /** The one locale whose flows use the text's known words, or undefined (none, or several). */
  localeOf(text: string): string | undefined {
    let only: string | undefined;
    for (const w of words(text)) {
      if (!/\p{L}{2,}/u.test(w)) continue;
      const locales = this.localesOf.get(w);
      if (!locales) continue;
      if (locales.size > 1) return undefined;
      const [locale] = locales;
      if (only !== undefined && only !== locale) return undefined;
      only = locale;
    }
    return only;
  }
}
