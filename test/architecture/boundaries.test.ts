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

  it("library code under src/ does not print with console.log", () => {
    const offenders = files("src").filter(
      (f) => !f.startsWith(join("src", "cli")) && /console\.log\(/.test(readFileSync(f, "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
