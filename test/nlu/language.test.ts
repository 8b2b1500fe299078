import { describe, expect, it } from "vitest";
import { detectLanguage } from "../../src/nlu/index.ts";

const ALL = ["en", "ru", "pl", "el"];

describe("detectLanguage", () => {
  it.each([
    ["I can't log in to my account", "en"],
    ["where is my refund", "en"],
    ["не могу войти в аккаунт", "ru"],
    ["забыл пароль", "ru"],
    ["nie mogę się zalogować", "pl"],
    ["nie moge sie zalogowac do konta", "pl"],
    ["zapomniałem hasła", "pl"],
    ["gdzie jest moj przelew", "pl"],
    ["ξέχασα τον κωδικό μου", "el"],
    ["ξεχασα τον κωδικο", "el"],
  ])("%s → %s, confidently", (text, locale) => {
    const d = detectLanguage(text, ALL);
    expect(d.locale).toBe(locale);
    expect(d.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it.each(["ok", "123", "👍", "", "?!", "FL-123456"])(
    "short or letterless %j falls back to the hint with low confidence",
    (text) => {
      const d = detectLanguage(text, ALL, "pl");
      expect(d.locale).toBe("pl");
      expect(d.confidence).toBeLessThan(0.5);
    },
  );

  it("without a usable hint it falls back to the first candidate", () => {
    expect(detectLanguage("👍", ALL).locale).toBe("en");
    expect(detectLanguage("👍", ["ru", "en"], "de").locale).toBe("ru");
  });

  it("the hint breaks an en/pl tie but does not override clear text", () => {
    expect(detectLanguage("ok", ["en", "pl"], "pl").locale).toBe("pl");
    expect(detectLanguage("ok", ["en", "pl"], "en").locale).toBe("en");
    expect(detectLanguage("zapomniałem hasła", ALL, "en").locale).toBe("pl");
    expect(detectLanguage("забыл пароль", ALL, "en").locale).toBe("ru");
  });

  it("a lone word between Latin languages is not enough to switch a conversation", () => {
    for (const w of ["password", "tak", "refund"]) {
      expect(detectLanguage(w, ALL).confidence).toBeLessThan(0.8);
    }
  });

  it("only ever returns a candidate", () => {
    const d = detectLanguage("не могу войти", ["en", "pl"], "en");
    expect(["en", "pl"]).toContain(d.locale);
    expect(d.confidence).toBeLessThan(0.5);
  });

  it("mixed script follows the dominant one", () => {
    expect(detectLanguage("не приходит код 2FA на телефон", ALL).locale).toBe("ru");
  });

  it("does not throw on hostile input", () => {
    expect(() => detectLanguage("x".repeat(100_000), ALL)).not.toThrow();
    expect(() => detectLanguage("\ud800\u0000", ALL)).not.toThrow();
    expect(() => detectLanguage(undefined as unknown as string, ALL)).not.toThrow();
    expect(detectLanguage("hello", []).confidence).toBe(0);
  });
});
