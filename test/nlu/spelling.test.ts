import { describe, expect, it } from "vitest";
import { IntentMatcher } from "../../src/nlu/index.ts";
import { SpellingIndex } from "../../src/nlu/spelling.ts";

const taught = (words: string[]) => new Map(words.map((w) => [w, 1]));

describe("typo repair reads typos, not other words", () => {
  it("repairs a typo of a taught word", () => {
    const index = new SpellingIndex(taught(["password", "refund", "пароль"]));
    expect(index.correct("pasword")).toBe("password");
    expect(index.correct("refnd")).toBe("refund");
    expect(index.correct("пороль")).toBe("пароль");
  });

  it("never changes the first letter ('τωρα', now, is not 'ωρα', hour)", () => {
    const index = new SpellingIndex(taught(["ωρα", "bank"]));
    expect(index.correct("τωρα")).toBe("τωρα");
    expect(index.correct("xbank")).toBe("xbank");
  });

  it("brings a real word only to a taught inflection of itself", () => {
    const index = new SpellingIndex(taught(["bank", "weekends"]), new Set(["blank", "weekend"]));
    expect(index.correct("blank")).toBe("blank");
    expect(index.correct("weekend")).toBe("weekends");
  });

  it("the shipped English word vectors count as real words: 'blank' does not become 'bank'", () => {
    const matcher = IntentMatcher.train([
      { intent: "payment", text: "my bank transfer is missing" },
      { intent: "problem", text: "the page does not load" },
    ]);
    expect(matcher.vectorize("page is blank")?.tokens).toEqual(["page", "is", "blank"]);
    // Without them (lexical features only) the same word is taken for a typo.
    const lexical = IntentMatcher.train(
      [
        { intent: "payment", text: "my bank transfer is missing" },
        { intent: "problem", text: "the page does not load" },
      ],
      { wordVectors: null },
    );
    expect(lexical.vectorize("page is blank")?.tokens).toEqual(["page", "is", "bank"]);
  });
});
