import { describe, expect, it } from "vitest";
import { normalizeText, words } from "../../src/nlu/index.ts";

describe("normalisation", () => {
  it("folds case, Greek tonos, Polish diacritics and ё, but keeps й", () => {
    expect(normalizeText("Ξέχασα τον Κωδικό")).toBe("ξεχασα τον κωδικο");
    expect(normalizeText("Zapomniałem HASŁA")).toBe("zapomnialem hasla");
    expect(normalizeText("Ещё")).toBe("еще");
    expect(normalizeText("мой")).toBe("мой");
    expect(normalizeText("ｒｅｆｕｎｄ")).toBe("refund");
  });

  it("tokenises: apostrophes inside words join, numbers collapse", () => {
    expect(words("I can't pay 250 EUR!")).toEqual(["i", "cant", "pay", "0", "eur"]);
  });

  it("bounds work on huge input", () => {
    expect(words("a ".repeat(50_000)).length).toBeLessThanOrEqual(200);
    expect(normalizeText(42)).toBe("");
  });
});
