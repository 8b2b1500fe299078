import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/runtime/logger.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, lines };
}

describe("logs are redacted by default", () => {
  it("hides tokens, customer text, names and flow variables", () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: "info" }, stream);
    log.info(
      {
        token: "123456:SECRET",
        event: { text: "my card is 4111", user: { name: "Maria" } },
        vars: { order: "FL-1" },
        headers: { authorization: "Bot x" },
      },
      "turn",
    );
    const out = lines.join("");
    expect(out).not.toMatch(/SECRET|4111|Maria|FL-1|Bot x/);
    expect(out).toMatch(/\[redacted\]/);
  });

  it("shows customer text only when the operator asks for it, never secrets", () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: "info", redactText: false }, stream);
    log.info({ token: "123456:SECRET", event: { text: "hello there" } }, "turn");
    const out = lines.join("");
    expect(out).toMatch(/hello there/);
    expect(out).not.toMatch(/SECRET/);
  });
});
