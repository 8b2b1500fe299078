import { describe, expect, it } from "vitest";
import { WordIndex } from "../../src/nlu/word-index.ts";

const list = (words: string[]) => WordIndex.fromList(new TextEncoder().encode(words.join("\n")));

describe("WordIndex", () => {
  it("finds every word at its row and nothing else", () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);
    const index = list(words);
    expect(index.size).toBe(5000);
    words.forEach((w, i) => {
      expect(index.get(w)).toBe(i);
      expect(index.word(i)).toBe(w);
    });
    for (const missing of ["", "w", "w0", "w0xx", "пароль", "W0X", "w0x "]) {
      expect(index.get(missing)).toBe(-1);
    }
  });

  it("handles one word and prefixes of each other", () => {
    const index = list(["card", "car", "cards"]);
    expect([index.get("car"), index.get("card"), index.get("cards"), index.get("ca")]).toEqual([
      1, 0, 2, -1,
    ]);
    expect(list(["only"]).get("only")).toBe(0);
  });
});
