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
