// How Frontline's plain texts and buttons become Discord message bodies: markdown escaped,
// mentions inert, split under 2,000 characters, buttons in rows of components, and a nonce
// derived from the idempotency key so a retried send returns the first message.
import { createHash } from "node:crypto";
import { escapeMarkdown } from "@discordjs/formatters";
import {
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  ButtonStyle,
  ComponentType,
} from "discord-api-types/v10";
import { type Button, splitText } from "../../src/index.ts";

export const TEXT_LIMIT = 2_000;
export const LABEL_LIMIT = 80;
const ROWS = 5;
const PER_ROW = 5;

/**
 * Every text Frontline sends is plain text (flows are data, customers' words are relayed):
 * nothing in it may format, link or ping. Mentions are also disarmed by `allowed_mentions`;
 * escaping keeps "<@&123>" or "**" from even rendering.
 */
export function escapeText(text: string): string {
  const escaped = escapeMarkdown(text, {
    heading: true,
    bulletedList: true,
    numberedList: true,
    maskedLink: true,
  });
  // Block quotes and mention syntax are not covered by escapeMarkdown.
  return escaped.replace(/^(\s*)>/gm, "$1\\>").replace(/<([@#]|a?:)/g, "<\\$1");
}

/**
 * Parts of at most 2,000 characters once escaped. The outbox already split the raw text at the
 * channel's limit; escaping can lengthen it, so a part that grew past the limit is split again
 * on a word boundary before escaping (never between a backslash and what it escapes).
 */
export function escapedParts(text: string): string[] {
  const out: string[] = [];
  const pending = [text];
  while (pending.length > 0) {
    const raw = pending.shift()!;
    const escaped = escapeText(raw);
    if (escaped.length <= TEXT_LIMIT) {
      out.push(escaped);
      continue;
    }
    const max = Math.max(16, Math.floor((raw.length * TEXT_LIMIT) / escaped.length) - 8);
    pending.unshift(...splitText(raw, max));
  }
  return out;
}

/** Discord keeps a nonce for a few minutes and, with enforce_nonce, returns the first message
 * for a repeat: 25 characters at most, so the key is hashed. */
export function nonceOf(idempotencyKey: string): string {
  return createHash("sha256").update(idempotencyKey).digest("base64url").slice(0, 25);
}

export function truncateLabel(label: string, max = LABEL_LIMIT): string {
  const chars = [...label];
  return chars.length <= max ? label : `${chars.slice(0, max - 1).join("")}…`;
}

/** Buttons in up to 5 rows of 5; short labels share a row, long ones get a row each. */
export function buttonRows(
  buttons: Button[],
): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const perRow = buttons.every((b) => [...b.label].length <= 18) ? PER_ROW : 1;
  const rowsNeeded = Math.ceil(buttons.length / perRow);
  // More long buttons than rows: put them five to a row after all.
  const width = rowsNeeded > ROWS ? PER_ROW : perRow;
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  for (let i = 0; i < buttons.length && rows.length < ROWS; i += width) {
    rows.push({
      type: ComponentType.ActionRow,
      components: buttons.slice(i, i + width).map((b) => ({
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: truncateLabel(b.label),
        custom_id: b.payload,
      })),
    });
  }
  return rows;
}

/** Discord's locales ("en-US", "pt-BR", "el") → Frontline's language codes ("en", "pt", "el"). */
export function languageOf(locale: string | undefined): string | undefined {
  return locale?.split("-")[0]?.toLowerCase() || undefined;
}

/** The Discord locales that a language's command descriptions are registered under. */
export function discordLocalesFor(language: string): string[] {
  const map: Record<string, string[]> = {
    en: ["en-US", "en-GB"],
    es: ["es-ES", "es-419"],
    pt: ["pt-BR"],
    zh: ["zh-CN", "zh-TW"],
    sv: ["sv-SE"],
  };
  const supported = new Set([
    "id",
    "da",
    "de",
    "fr",
    "hr",
    "it",
    "lt",
    "hu",
    "nl",
    "no",
    "pl",
    "ro",
    "fi",
    "vi",
    "tr",
    "cs",
    "el",
    "bg",
    "ru",
    "uk",
    "hi",
    "th",
    "ja",
    "ko",
  ]);
  return map[language] ?? (supported.has(language) ? [language] : []);
}
