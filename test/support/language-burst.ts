// The crash stories' traffic: each customer asks for a language, cycling through the four, so
// every answer says which message it answers and a chat's answers show loss, repeats and order.
import type { FakeTelegram, TestUser } from "../fakes/telegram/index.ts";

export const LANGS = ["en", "ru", "pl", "el"] as const;
/** The confirmation /language <code> gets, by code (from flows/frontline.yaml). */
export const SWITCHED: Record<string, RegExp> = {
  en: /English/,
  ru: /по-русски/i,
  pl: /po polsku/i,
  el: /ελληνικά/i,
};

export interface LanguageBurst {
  users: TestUser[];
  /** Per customer: the languages asked for so far, in order. */
  expected: Map<number, string[]>;
  /** Sends rounds [from, to): one `/language` from every customer per round. */
  send(from: number, to: number): void;
}

/** `customers` new customers (ids from `firstId`); nothing is sent until `send`. */
export function languageBurst(f: FakeTelegram, customers: number, firstId = 50_000): LanguageBurst {
  const users = Array.from({ length: customers }, (_, i) =>
    f.addUser({ id: firstId + i, first_name: `C${i}`, language_code: "en" }),
  );
  const expected = new Map<number, string[]>();
  const send = (from: number, to: number) => {
    for (let n = from; n < to; n++)
      for (const u of users) {
        const lang = LANGS[(n + u.id) % LANGS.length]!;
        f.sendUserMessage(u, `/language ${lang}`);
        expected.set(u.id, [...(expected.get(u.id) ?? []), lang]);
      }
  };
  return { users, expected, send };
}

/** Which language each reply confirms, in the order the chat received them. */
export function answered(f: FakeTelegram, chatId: number): string[] {
  return f
    .sentMessages(chatId)
    .map((m) => LANGS.find((l) => SWITCHED[l]!.test(m.text ?? "")) ?? `?${m.text}`);
}

/** Drops at most one repeat of the same reply in a row (the send in flight at the kill). */
export function withoutOneRepeat(seq: string[]): { seq: string[]; repeats: number } {
  const out: string[] = [];
  let repeats = 0;
  for (const [i, s] of seq.entries()) {
    if (i > 0 && s === seq[i - 1] && repeats === 0) {
      repeats += 1;
      continue;
    }
    out.push(s);
  }
  return { seq: out, repeats };
}
