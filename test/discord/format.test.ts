// What the Discord channel makes of Frontline's plain texts and buttons.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buttonRows,
  escapedParts,
  escapeText,
  nonceOf,
  TEXT_LIMIT,
  truncateLabel,
} from "../../adapters/discord/format.ts";
import { BOT_PERMISSIONS_BITS } from "../../adapters/discord/permissions.ts";

describe("Discord formatting", () => {
  it("escapes markdown, block quotes, headings, lists and mention syntax", () => {
    const raw =
      "# Title\n> quote\n- item\n1. one\n**bold** _it_ ~~s~~ ||spoiler|| `code` [x](https://e.x) <@&123> <#45> @everyone";
    const escaped = escapeText(raw);
    // None of these may format, link or ping: each is preceded by a backslash.
    for (const live of [
      "**bold**",
      "_it_",
      "~~s~~",
      "||spoiler||",
      "`code`",
      "[x](https",
      "<@&",
      "<#",
    ])
      expect(escaped).not.toMatch(
        new RegExp(`(?<!\\\\)${live.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
      );
    expect(escaped.split("\n").map((l) => l[0])).toEqual(["\\", "\\", "\\", "1", "\\"]);
    // What a reader sees after Discord removes the escapes is what was written.
    expect(escaped.replace(/\\([^a-zA-Z0-9\s])/g, "$1")).toBe(raw);
  });

  it("keeps every part under 2,000 characters once escaped, without cutting an escape", () => {
    const raw = "*".repeat(1_900);
    const parts = escapedParts(raw);
    expect(parts.length).toBe(2);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(TEXT_LIMIT);
      expect(p.endsWith("\\")).toBe(false);
    }
    expect(parts.join("").replaceAll("\\*", "*")).toBe(raw);
  });

  it("derives a nonce of at most 25 characters, stable per idempotency key", () => {
    expect(nonceOf("o:dc:1:0").length).toBeLessThanOrEqual(25);
    expect(nonceOf("o:dc:1:0")).toBe(nonceOf("o:dc:1:0"));
    expect(nonceOf("o:dc:1:0")).not.toBe(nonceOf("o:dc:1:1"));
  });

  it("lays buttons out in at most 5 rows of 5, labels cut to 80", () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ label: `B${i}`, payload: `p${i}` }));
    const rows = buttonRows(many);
    expect(rows.length).toBe(5);
    expect(rows.every((r) => r.components.length === 5)).toBe(true);
    const long = Array.from({ length: 3 }, (_, i) => ({
      label: "x".repeat(100),
      payload: `l${i}`,
    }));
    expect(buttonRows(long).map((r) => r.components.length)).toEqual([1, 1, 1]);
    expect([...truncateLabel("y".repeat(100))].length).toBe(80);
  });

  it("the README's invite URL asks for exactly the permissions the bot uses", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain(`permissions=${BOT_PERMISSIONS_BITS}`);
  });
});
