// The words a bot's flows use anywhere, in every locale: real words of the bot's languages,
// which the typo repair must not read as typos of a taught word.
import type { FlowSet } from "../flows/flowset.ts";
import type { LocalizedText } from "../flows/schema.ts";
import { words } from "../nlu/index.ts";

/** Every word of the flows' triggers, questions, texts, button labels and examples. */
export function vocabularyOf(set: FlowSet): Set<string> {
  const out = new Set<string>();
  const add = (text: string) => {
    for (const w of words(text)) out.add(w);
  };
  const addLocalized = (text: LocalizedText | undefined) => {
    if (text) Object.values(text).forEach(add);
  };
  for (const flow of set.flows.values()) {
    for (const texts of Object.values(flow.def.triggers?.examples ?? {})) texts.forEach(add);
    for (const step of flow.steps.values()) {
      if ("say" in step) addLocalized(step.say);
      if ("ask" in step) {
        addLocalized(step.ask);
        for (const b of step.buttons ?? []) {
          addLocalized(b.label);
          for (const texts of Object.values(b.examples ?? {})) texts.forEach(add);
        }
      }
    }
  }
  return out;
}

/** Which locale's flow texts use a word: for messages too short to tell by their letters. */
export class LocaleWords {
  private readonly localesOf = new Map<string, Set<string>>();

  constructor(set: FlowSet) {
    const add = (locale: string, text: string) => {
      for (const w of words(text)) {
        const known = this.localesOf.get(w);
        if (known) known.add(locale);
        else this.localesOf.set(w, new Set([locale]));
      }
    };
    const addLocalized = (text: LocalizedText | undefined) => {
      for (const [locale, t] of Object.entries(text ?? {})) add(locale, t);
    };
    for (const flow of set.flows.values()) {
      const triggers = flow.def.triggers;
      for (const [locale, texts] of Object.entries(triggers?.examples ?? {}))
        for (const t of texts) add(locale, t);
      for (const [locale, texts] of Object.entries(triggers?.keywords ?? {}))
        for (const t of texts) add(locale, t);
      for (const step of flow.steps.values()) {
        if ("say" in step) addLocalized(step.say);
        if ("ask" in step) {
          addLocalized(step.ask);
          for (const b of step.buttons ?? []) addLocalized(b.label);
        }
      }
    }
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
