// Typed answers at button questions: each ask step with buttons gets a small intent matcher
// over its buttons (their labels in every locale, their values, and the flow author's
// `examples`), so "I forgot my password" presses "Forgot password" and "ubuntu" presses
// "Linux". A clear match presses; anything less asks again with the buttons.
import type { FlowSet } from "../flows/flowset.ts";
import { IntentMatcher, type TrainingExample, words } from "../nlu/index.ts";
import { vocabularyOf } from "./vocabulary.ts";

/** How sure a match must be: at the question itself the customer is answering it; an opening
 * message that may answer a flow's first question must be clearer still (it was not asked). */
export type MatchStrictness = "answer" | "opening";
const BARS: Record<MatchStrictness, { confidence: number; lone: number; margin: number }> = {
  // A lone button (an ask that also takes free input) has no runner-up: it must be surer.
  answer: { confidence: 0.45, lone: 0.8, margin: 0.15 },
  opening: { confidence: 0.8, lone: 0.9, margin: 0.4 },
};

/** Answers that choose no button ("not sure" is not "No, not yet", "both" is not "bot"); "I
 * don't know" presses only a button whose phrase it says word for word ("I don't know the
 * number"). */
const UNSURE = "unsure";
const ANSWER = "answer";
const UNSURE_CONFIDENCE = 0.5;
const UNSURE_EXAMPLES: Record<string, string[]> = {
  en: [
    "not sure",
    "i'm not sure",
    "maybe",
    "hmm",
    "neither",
    "both",
    "none of these",
    "something else",
    "what do you mean",
    "i don't understand",
    "i don't know",
    "no idea",
    "no clue",
    "dunno",
    "i don't remember",
  ],
  ru: [
    "не уверен",
    "не уверена",
    "может быть",
    "хм",
    "ни то ни другое",
    "оба",
    "ничего из этого",
    "что-то другое",
    "что вы имеете в виду",
    "не понимаю",
    "не знаю",
    "понятия не имею",
    "не помню",
  ],
  pl: [
    "nie jestem pewien",
    "nie jestem pewna",
    "może",
    "hmm",
    "ani to, ani to",
    "oba",
    "żadne z tych",
    "coś innego",
    "co masz na myśli",
    "nie rozumiem",
    "nie wiem",
    "nie mam pojęcia",
    "nie pamiętam",
  ],
  el: [
    "δεν είμαι σίγουρος",
    "δεν είμαι σίγουρη",
    "ίσως",
    "χμ",
    "κανένα από τα δύο",
    "και τα δύο",
    "κανένα από αυτά",
    "κάτι άλλο",
    "τι εννοείτε",
    "δεν καταλαβαίνω",
    "δεν ξέρω",
    "ιδέα δεν έχω",
    "δεν θυμάμαι",
  ],
};

export class ButtonMatcher {
  private readonly matchers = new Map<string, IntentMatcher>();
  /** Per step, per button: the phrases that stand for it (labels and examples), as word lists. */
  private readonly phrases = new Map<string, string[][][]>();
  /** Questions that also take free input (an order number): digits there are that input. */
  private readonly withInput = new Set<string>();

  /** "Chose nothing" against every button phrase of the bot: apart from the questions' own
   * matchers, whose confidences it would dilute. */
  private readonly unsureMatcher: IntentMatcher;
  private lastUnsure: { text: string; unsure: boolean } | undefined;

  constructor(set: FlowSet) {
    const realWords = vocabularyOf(set);
    const answers: TrainingExample[] = [];
    for (const flow of set.flows.values())
      for (const step of flow.steps.values()) {
        if (!("ask" in step) || !step.buttons?.length) continue;
        const examples: TrainingExample[] = [];
        step.buttons.forEach((b, i) => {
          const intent = String(i);
          for (const label of Object.values(b.label)) examples.push({ intent, text: label });
          if (b.value) examples.push({ intent, text: b.value.replaceAll("_", " ") });
          for (const [locale, texts] of Object.entries(b.examples ?? {}))
            for (const text of texts) examples.push({ intent, text, locale });
        });
        for (const e of examples) answers.push({ ...e, intent: ANSWER });
        this.matchers.set(`${flow.id}/${step.id}`, IntentMatcher.train(examples, { realWords }));
        if (step.input) this.withInput.add(`${flow.id}/${step.id}`);
        this.phrases.set(
          `${flow.id}/${step.id}`,
          step.buttons.map((b) =>
            [...Object.values(b.label), ...Object.values(b.examples ?? {}).flat()].map(
              contentWords,
            ),
          ),
        );
      }
    for (const [locale, texts] of Object.entries(UNSURE_EXAMPLES))
      for (const text of texts) answers.push({ intent: UNSURE, text, locale });
    this.unsureMatcher = IntentMatcher.train(answers, { realWords });
  }

  /** The button a typed answer clearly means, or null. At a question that also takes free
   * input, text with digits is an attempt at that input (an order number), never a button. */
  match(
    flowId: string,
    stepId: string,
    text: string,
    strictness: MatchStrictness = "answer",
  ): { index: number; confidence: number } | null {
    const key = `${flowId}/${stepId}`;
    const matcher = this.matchers.get(key);
    if (!matcher || !/\p{L}/u.test(text)) return null;
    if (this.withInput.has(key) && /\d/.test(text)) return null;
    const bar = BARS[strictness];
    const [best, second] = matcher.match(text, { limit: 2 });
    if (!best || best.confidence < (second ? bar.confidence : bar.lone)) return null;
    if (second && best.confidence - second.confidence < bar.margin) return null;
    const index = Number(best.intent);
    if (this.unsure(text) && !this.says(key, index, text)) return null;
    // An opening message must also say one of the button's phrases nearly word for word: the
    // classifier alone is sure of far too much with a handful of buttons ("I can't sign into
    // my account" is not "Account locked").
    if (strictness === "opening" && !this.says(`${flowId}/${stepId}`, index, text)) return null;
    return { index, confidence: best.confidence };
  }

  /** The customer answered without choosing ("not sure", "both", "what do you mean?"): the
   * question is asked again, never taken for small talk or another topic. */
  unsure(text: string): boolean {
    // One answer asks twice (a button match, then the conversation): remember the last text.
    if (this.lastUnsure?.text === text) return this.lastUnsure.unsure;
    const [best] = this.unsureMatcher.match(text, { limit: 1 });
    const unsure = best?.intent === UNSURE && best.confidence >= UNSURE_CONFIDENCE;
    this.lastUnsure = { text, unsure };
    return unsure;
  }

  private says(key: string, index: number, text: string): boolean {
    const said = contentWords(text);
    return (this.phrases.get(key)?.[index] ?? []).some(
      (phrase) =>
        phrase.length > 0 &&
        phrase.filter((w) => said.some((s) => sameWord(s, w))).length / phrase.length >= 0.99,
    );
  }
}

/** Words that carry meaning (three letters or more), normalized as the matcher does. */
function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length >= 3);
}

/** Equal, or sharing a five-letter stem (inflections: password/passwords, пароль/пароля). */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const n = Math.min(a.length, b.length);
  return n >= 5 && a.slice(0, 5) === b.slice(0, 5);
}
