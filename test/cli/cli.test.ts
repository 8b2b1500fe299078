// The operator's commands, run as a user runs them: the real binary, real Redis.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testPrefix, testRedisUrl } from "../support/redis.ts";

function frontline(args: string[], input?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["bin/frontline.mjs", ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, REDIS_URL: testRedisUrl(), REDIS_PREFIX: testPrefix("cli"), ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const turns = (out: string) =>
  out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          flow: string;
          locale: string;
          text: string;
          buttons: string[];
          escalated: boolean;
          confidence: number;
        },
    );

describe("frontline validate", () => {
  it("passes the shipped flows", () => {
    const r = frontline(["validate", "flows"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: \d+ flows/);
  });

  it("reports a broken copy with file:line:column and exits non-zero", () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-broken-"));
    cpSync("flows", dir, { recursive: true });
    const file = join(dir, "refund.yaml");
    const lines = readFileSync(file, "utf8").split("\n");
    const at = lines.findIndex((l) => /^\s+- id: /.test(l));
    lines.splice(at + 1, 0, `${lines[at]!.match(/^\s*/)![0]}  goto: no_such_step`);
    writeFileSync(file, lines.join("\n"));
    const r = frontline(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `refund\\.yaml:${at + 1}:\\d+: a step has one kind|refund\\.yaml:${at + 2}:\\d+: .*no_such_step`,
      ),
    );
  });
});

describe("frontline chat", () => {
  it.each([
    ["en", "I forgot my password"],
    ["ru", "Я забыл пароль"],
    ["pl", "Zapomniałem hasła"],
    ["el", "Ξέχασα τον κωδικό μου"],
  ])("answers a password question from the login flow (%s)", (lang, text) => {
    const r = frontline(["chat", "--json", "--lang", "en"], `${text}\n`);
    expect(r.code).toBe(0);
    const [turn] = turns(r.out);
    expect(turn).toMatchObject({ flow: "login_help", locale: lang, escalated: false });
    expect(turn!.buttons.length).toBeGreaterThan(1);
  });

  it("reads one message per line, presses buttons by number, and survives odd input", () => {
    const huge = "x".repeat(100_000);
    const r = frontline(
      ["chat", "--json", "--lang", "en"],
      `/start\n1\n${huge}\n🙂🙂🙂\n\u0001\u0002binary\u0000\n/human\n`,
    );
    expect(r.err).toBe("");
    const all = turns(r.out);
    expect(all.length).toBe(6);
    expect(all[0]!.buttons.length).toBeGreaterThan(2);
    expect(all[1]!.flow).not.toBe(all[0]!.flow);
    // No desk in a terminal: /human is answered honestly, never with a promise of a person.
    expect(all.at(-1)!.escalated).toBe(false);
    expect(all.at(-1)!.text).toMatch(/Nobody from our team can be reached in this chat/);
  });

  it("never traps a customer without a desk: /human is honest, and the bot keeps answering", () => {
    const r = frontline(["chat", "--json", "--lang", "en"], "/human\nhello?\n/start\n/help\n");
    const [human, hello, start, help] = turns(r.out);
    // The help lists no way to a person that leads nowhere.
    expect(help!.text).not.toMatch(/talk to a person/);
    expect(help!.text).toMatch(/\/human — how to reach our team/);
    expect(human).toMatchObject({ escalated: false });
    expect(human!.text).toMatch(/support@example\.com/);
    expect(hello!.text).not.toMatch(/passed to the person/);
    expect(hello!.escalated).toBe(false);
    expect(start!.buttons.length).toBeGreaterThan(2);
    expect(start!.escalated).toBe(false);
  });

  it("a session continued in a later run (--session) answers the new message, not the first one again", () => {
    const env = { REDIS_PREFIX: testPrefix("cli-session") };
    const args = ["chat", "--json", "--lang", "en", "--session", "continued"];
    const [first] = turns(frontline(args, "hello\n", env).out);
    const [second] = turns(frontline(args, "where is my payout?\n", env).out);
    expect(first!.flow).toBe("greeting");
    expect(second!.flow).toBe("payment_missing");
  });

  it("without a desk, flows that end with a person say so first instead of collecting details", () => {
    const r = frontline(["chat", "--json", "--lang", "en"], "/refund\n/bug\n");
    const [refund, bug] = turns(r.out);
    expect(refund!.text).not.toMatch(/order number/);
    expect(refund!.text).toMatch(/Nobody from our team can be reached in this chat/);
    expect(bug!.buttons).toEqual([]);
    expect(bug!.text).toMatch(/Nobody from our team can be reached in this chat/);
  });

  it("refuses to start on invalid flows, with the validator's report", () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-broken-"));
    cpSync("flows", dir, { recursive: true });
    writeFileSync(join(dir, "human.yaml"), "id: human\nsteps: [\n");
    const r = frontline(["chat", "--json", "--flows", dir], "hello\n");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/human\.yaml:\d+:\d+: YAML/);
    expect(r.out).toBe("");
  });

  it("explains how to get Redis when none answers and none can be started", () => {
    const r = frontline(["chat", "--json"], "hi\n", {
      REDIS_URL: "redis://127.0.0.1:1",
      PATH: "/nonexistent",
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/No Redis at redis:\/\/127\.0\.0\.1:1\. .*apt-get install redis-server/);
  });
});

describe("frontline test-flows", () => {
  it("runs the shipped conversation tests and they pass", () => {
    const r = frontline(["test-flows", "flows"]);
    expect(r.out).toMatch(/\n(\d+) passed, 0 failed\n$/);
    expect(r.code).toBe(0);
  });

  it("fails with a non-zero exit when an expectation is not met", () => {
    const dir = mkdtempSync(join(tmpdir(), "fl-tests-"));
    cpSync("flows", dir, { recursive: true });
    writeFileSync(
      join(dir, "tests", "extra.test.yaml"),
      'cases:\n  - name: wrong\n    turns:\n      - user: "I forgot my password"\n        expect: { flow: refund }\n',
    );
    const r = frontline(["test-flows", dir, "--filter", "wrong"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ wrong\n\s+turn 1: flow: expected refund, got login_help/);
  });
});

describe("CLI polish", () => {
  it("--version, [] for an empty desk, and n/a with the reason instead of a dash", () => {
    expect(frontline(["--version"]).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const empty = { REDIS_PREFIX: testPrefix("cli-empty") };
    expect(JSON.parse(frontline(["tickets", "list", "--json"], "", empty).out)).toEqual([]);
    expect(frontline(["tickets", "stats"], "", empty).out).toMatch(/n\/a \(no agent replies yet\)/);
  });

  it("refuses a Redis URL without a scheme or with a database out of range", () => {
    for (const url of ["localhost:6379", "redis://127.0.0.1:6379/99"]) {
      const r = frontline(["tickets", "list"], "", { REDIS_URL: url });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/REDIS_URL/);
    }
  });
});

describe("frontline start", () => {
  it("refuses a bad token with a clear message", () => {
    const r = frontline(["start"], "", { TELEGRAM_BOT_TOKEN: "not-a-token" });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/TELEGRAM_BOT_TOKEN does not look like a bot token/);
  });

  it("refuses webhook mode without a public URL", () => {
    const r = frontline(["start"], "", {
      TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      TELEGRAM_MODE: "webhook",
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL/);
  });

  it("refuses a send rate Telegram never allows, and says what the limit is", () => {
    const r = frontline(["start"], "", {
      TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      TELEGRAM_SENDS_PER_SECOND: "5000",
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/TELEGRAM_SENDS_PER_SECOND can be at most 1000/);
  });

  it("without a token in a service (no terminal) exits 1 with one sentence; a missing secret is not a success", () => {
    const r = frontline(["start"], "hello\n", { TELEGRAM_BOT_TOKEN: "" });
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/no platform is configured: set TELEGRAM_BOT_TOKEN/);
    expect(r.out).toBe("");
  });
});
