// DESIGN.md's boundaries, checked: src/ never imports a platform library.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("architecture", () => {
  it("src/ imports no platform library statically", () => {
    const offenders = files("src").filter((f) =>
      /from\s+["'](grammy|telegraf|discord\.js|@grammyjs\/[^"']+)["']/.test(
        readFileSync(f, "utf8"),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it("src/ never reaches a platform or adapters/, not even through a dynamic import()", () => {
    const platform = /(grammy|telegraf|discord\.js|@grammyjs\/[^"'`]+)/;
    const offenders = files("src").filter((f) => {
      const text = readFileSync(f, "utf8");
      const dynamic = [...text.matchAll(/import\(\s*(["'`])([^"'`]+)\1/g)].map((m) => m[2]!);
      const fromAdapters = [...text.matchAll(/from\s+["']([^"']+)["']/g)]
        .map((m) => m[1]!)
        .filter((spec) => /(^|\/)adapters(\/|$)/.test(spec));
      return (
        dynamic.some((spec) => platform.test(spec) || /(^|\/)adapters(\/|$)/.test(spec)) ||
        fromAdapters.length > 0 ||
        /import\(\s*[^"'`\s)]/.test(text) // a computed specifier could hide either
      );
    });
    expect(offenders).toEqual([]);
  });

  it("the boundary check itself catches a dynamic import of an adapter", () => {
    const sample = `const { TelegramAdapter } = await import("../../adapters/telegram/index.ts");`;
    const dynamic = [...sample.matchAll(/import\(\s*(["'`])([^"'`]+)\1/g)].map((m) => m[2]!);
    expect(dynamic.some((spec) => /(^|\/)adapters(\/|$)/.test(spec))).toBe(true);
  });

  it("library code under src/ does not print with console.log", () => {
    const offenders = files("src").filter(
      (f) => !f.startsWith(join("src", "cli")) && /console\.log\(/.test(readFileSync(f, "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
