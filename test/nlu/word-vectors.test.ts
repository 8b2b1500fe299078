import { describe, expect, it } from "vitest";
import { DEFAULT_MATCH_THRESHOLD, IntentMatcher } from "../../src/nlu/index.ts";
import { shippedWordVectors, WordVectors } from "../../src/nlu/word-vectors.ts";
import { SUPPORT_EXAMPLES } from "./fixtures.ts";

const vectors = shippedWordVectors();

function cosine(a: string, b: string): number {
  const v = vectors!;
  const x = new Float32Array(v.sentenceDims);
  const y = new Float32Array(v.sentenceDims);
  v.sentence([a], x);
  v.sentence([b], y);
  let s = 0;
  for (let d = 0; d < v.dims; d++) s += x[d]! * y[d]!;
  return s;
}

describe("shipped word vectors", () => {
  it("load: 40k English words, 100 dimensions", () => {
    expect(vectors).not.toBeNull();
    expect(vectors!.size).toBe(40_000);
    expect(vectors!.dims).toBe(100);
    expect(vectors!.has("refund")).toBe(true);
    expect(vectors!.has("пароль")).toBe(false);
  });

  it("know that related words are related", () => {
    expect(cosine("cash", "money")).toBeGreaterThan(cosine("cash", "weather") + 0.3);
    expect(cosine("stolen", "lost")).toBeGreaterThan(cosine("stolen", "delicious") + 0.3);
  });

  it("report how many tokens they knew, and write zeros when none", () => {
    const out = new Float32Array(vectors!.sentenceDims);
    expect(vectors!.sentence(["my", "card", "zzqxw"], out)).toBe(2);
    expect(vectors!.sentence(["пароль"], out)).toBe(0);
    expect(out.every((x) => x === 0)).toBe(true);
  });

  it("refuse a damaged file", () => {
    expect(() => WordVectors.fromBuffer(Buffer.from("nope"))).toThrow(/FLWV/);
    const header = Buffer.alloc(20);
    header.write("FLWV", 0, "latin1");
    header.writeUInt32LE(1, 4);
    header.writeUInt32LE(10, 8);
    header.writeUInt32LE(100, 12);
    expect(() => WordVectors.fromBuffer(header)).toThrow(/truncated/);
  });
});

describe("IntentMatcher with word vectors", () => {
  // No query shares a word with its intent's examples: only word meaning can place it.
  const examples = [
    { intent: "weather", text: "will it rain tomorrow" },
    { intent: "weather", text: "how cold is it outside" },
    { intent: "food", text: "I am hungry" },
    { intent: "food", text: "suggest something to eat" },
    { intent: "travel", text: "book me a flight" },
    { intent: "travel", text: "I need a hotel room" },
  ];
  const withVectors = IntentMatcher.train(examples);
  const lexicalOnly = IntentMatcher.train(examples, { wordVectors: null });
  it.each([
    ["snowstorm forecast", "weather"],
    ["cheap airline tickets", "travel"],
  ])("%s → %s by meaning, where letters alone guess wrong", (text, intent) => {
    expect(withVectors.match(text)[0]?.intent).toBe(intent);
    expect(lexicalOnly.match(text)[0]?.intent).not.toBe(intent);
    // Meaning ranks; it does not make a match confident on its own: with no word in common
    // with any example, the nearest-example factor keeps it below the threshold.
    expect(withVectors.match(text)[0]!.confidence).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
  });

  it("leave text the vectors do not know (other languages) to the lexical classifier", () => {
    const lexical = IntentMatcher.train(SUPPORT_EXAMPLES, { wordVectors: null });
    const full = IntentMatcher.train(SUPPORT_EXAMPLES);
    for (const text of ["забыл пароль", "ξέχασα τον κωδικό μου", "zapomniałem hasła do konta"]) {
      expect(full.match(text)).toEqual(lexical.match(text));
    }
  });
});
