// Flow patterns run on RE2 (linear time): the shipped patterns behave as they did as JavaScript
// RegExps, RE2-only syntax is refused at load time, and a catastrophic pattern cannot stall
// the engine.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundEvent, InboundMessage } from "../../src/core/types.ts";
import { Engine } from "../../src/engine/engine.ts";
import { ConversationStore } from "../../src/engine/store.ts";
import type { FlowSet } from "../../src/flows/flowset.ts";
import { loadFlows } from "../../src/flows/load.ts";
import {
  MAX_PATTERN_INPUT,
  MAX_PATTERN_PROGRAM,
  patternProblem,
  testPattern,
} from "../../src/flows/pattern.ts";
import type { FlowProblem } from "../../src/flows/problems.ts";
import { InputSpec } from "../../src/flows/schema.ts";
import { FLOWS, writeFlowFixture } from "../support/flow-fixture.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

/** The fixture's order-number pattern as it appears in order.yaml (a YAML double-quoted string). */
const FIXTURE_PATTERN_LINE = 'pattern: "^[A-Z]{2}-\\\\d{4}$"';

function problemsOf(dir: string): FlowProblem[] {
  const result = loadFlows(dir);
  if (result.ok) throw new Error("expected problems, flows loaded fine");
  return result.problems;
}

function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in fixture`);
  return i + 1;
}

/** Every input.pattern and if.matches of a flow set. */
function patternsOf(set: FlowSet): string[] {
  return [...set.flows.values()].flatMap((flow) =>
    [...flow.steps.values()].flatMap((step) => {
      if ("ask" in step && step.input?.pattern !== undefined) return [step.input.pattern];
      if ("if" in step && step.if.matches !== undefined) return [step.if.matches];
      return [];
    }),
  );
}

function loaded(dir: string): FlowSet {
  const result = loadFlows(dir);
  if (!result.ok)
    throw new Error(result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join("\n"));
  return result.flowSet;
}

describe("flow patterns on RE2", () => {
  const samples = [
    "FL-123456",
    "FL123456",
    "fl-123456",
    "Fl-123456",
    "FL-12345",
    "FL-1234567",
    "FL--123456",
    " FL-123456",
    "FL-123456\n",
    "my order is FL-123456",
    "FL-١٢٣٤٥٦", // Arabic-Indic digits: \d is ASCII in both engines
    "FL-１２３４５６", // fullwidth digits
    "AB-1234",
    "ab-1234",
    "ÄB-1234",
    "AB-12345",
    "AB-1234\n",
    "A😀-1234",
    "",
  ];

  it("the shipped and fixture patterns answer every sample as the JavaScript RegExps did", () => {
    const patterns = [...patternsOf(loaded("flows")), ...patternsOf(loaded(writeFlowFixture()))];
    expect(patterns).toContain("^[Ff][Ll]-?\\d{6}$");
    expect(patterns).toContain("^[A-Z]{2}-\\d{4}$");
    for (const pattern of patterns) {
      expect(patternProblem(pattern)).toBeNull();
      for (const s of samples)
        expect([pattern, s, testPattern(pattern, s)]).toEqual([
          pattern,
          s,
          new RegExp(pattern, "u").test(s),
        ]);
    }
  });

  it("keeps the order-number answers the flows rely on", () => {
    expect(testPattern("^[Ff][Ll]-?\\d{6}$", "FL-123456")).toBe(true);
    expect(testPattern("^[Ff][Ll]-?\\d{6}$", "FL123456")).toBe(true);
    expect(testPattern("^[Ff][Ll]-?\\d{6}$", "FL-12345")).toBe(false);
    expect(testPattern("^[A-Z]{2}-\\d{4}$", "AB-1234")).toBe(true);
    expect(testPattern("^[A-Z]{2}-\\d{4}$", "ab-1234")).toBe(false);
    expect(testPattern("refund", "I want a refund please")).toBe(true); // unanchored: anywhere
  });

  it("matches code points and Unicode classes as the u flag did, and offers (?i)", () => {
    expect(testPattern("^.$", "😀")).toBe(true);
    expect(testPattern("^\\p{L}+$", "ёжик")).toBe(true);
    expect(testPattern("^[а-яё]+$", "ёж")).toBe(true);
    expect(testPattern("(?i)^fl-?\\d{6}$", "fl-123456")).toBe(true);
    expect(testPattern("(?i)^привет$", "ПРИВЕТ")).toBe(true);
  });

  it("refuses RE2-unsupported syntax with a sentence that says what to do", () => {
    for (const p of ["(a)\\1", "(?=a)", "(?!a)b", "(?<=a)b", "(?<!a)b", "(?<n>a)\\k<n>"])
      expect(patternProblem(p)).toMatch(
        /^bad regular expression: .*RE2 syntax.*no backreferences .* or lookaround .*rewrite the pattern without them/,
      );
    expect(patternProblem("(?=a)")).toContain("(?=");
    expect(patternProblem("\\u00e9")).toMatch(/\\x\{00E9\}/);
    expect(patternProblem("^[A-Z{2")).toMatch(/^bad regular expression: .*missing closing \]/);
    expect(patternProblem(`[a-z]{${MAX_PATTERN_PROGRAM}}x`)).toMatch(/too large/);
  });

  it("sees whole answers: the cap is the longest answer an ask accepts", () => {
    expect(InputSpec.safeParse({ maxLength: MAX_PATTERN_INPUT }).success).toBe(true);
    expect(InputSpec.safeParse({ maxLength: MAX_PATTERN_INPUT + 1 }).success).toBe(false);
    expect(testPattern("^a+$", "a".repeat(MAX_PATTERN_INPUT))).toBe(true);
    expect(testPattern("!$", `${"a".repeat(MAX_PATTERN_INPUT - 1)}!`)).toBe(true);
    expect(testPattern("!$", `${"a".repeat(MAX_PATTERN_INPUT)}!`)).toBe(false); // past the cap
  });

  it("answers a catastrophic pattern at once, even on long input", () => {
    for (const n of [28, MAX_PATTERN_INPUT - 1])
      expect(testPattern("^(a+)+$", `${"a".repeat(n)}!`)).toBe(false);
    // Longer values are cut: the pattern sees only a's, so `$` matches at the cut.
    for (const n of [5000, 100_000]) expect(testPattern("^(a+)+$", `${"a".repeat(n)}!`)).toBe(true);
  });
});

describe("loadFlows refuses patterns RE2 cannot run", () => {
  it.each([
    ["a backreference", "'(a)\\1'", "\\1"],
    ["a lookahead", "'(?=a)'", "(?="],
  ])("%s in input.pattern, at its file and line", (_, yaml, quoted) => {
    const order = FLOWS["order.yaml"]!.replace(FIXTURE_PATTERN_LINE, `pattern: ${yaml}`);
    expect(order).not.toBe(FLOWS["order.yaml"]);
    const problems = problemsOf(writeFlowFixture({ "order.yaml": order }));
    expect(problems).toHaveLength(1);
    const [p] = problems;
    expect(p!.file).toMatch(/order\.yaml$/);
    expect(p!.line).toBe(lineOf(order, "pattern:"));
    expect(p!.column).toBeGreaterThan(1);
    expect(p!.message).toContain(quoted);
    expect(p!.message).toMatch(/RE2 syntax.*no backreferences.*lookaround.*rewrite the pattern/);
  });

  it("a lookbehind in if.matches, at its line", () => {
    const flow = `id: check
title: { en: Check, ru: Проверка }
triggers:
  commands: [check]
steps:
  - id: text
    ask: { en: "Say something.", ru: "Скажите что-нибудь." }
    input: {}
    save: text
  - id: test
    if: { var: text, matches: "(?<=a)b" }
    then: done
  - id: done
    end: resolved
`;
    const problems = problemsOf(writeFlowFixture({ "check.yaml": flow }));
    expect(problems.map((p) => [p.file.replace(/.*\//, ""), p.line])).toEqual([
      ["check.yaml", lineOf(flow, "matches:")],
    ]);
    expect(problems[0]!.message).toMatch(/lookaround/);
  });
});

describe("engine: a catastrophic pattern on real Redis", () => {
  const prefix = testPrefix("pattern");
  let redis: Redis;
  let engine: Engine;

  // The fixture's order flow, with the classic exponential-backtracking pattern and no
  // upper-casing (which would turn the a's into A's and dodge the pattern).
  const order = FLOWS["order.yaml"]!.replace(
    'input: { pattern: "^[A-Z]{2}-\\\\d{4}$", transform: upper }',
    'input: { pattern: "^(a+)+$", maxLength: 4000 }',
  ).replace("maxRetries: 1", "maxRetries: 9");
  // if.matches on a variable longer than any answer: `set` doubles what the customer said.
  const echo = `id: echo
title: { en: Echo, ru: Эхо }
triggers:
  commands: [echo]
steps:
  - id: text
    ask: { en: "Say something.", ru: "Скажите что-нибудь." }
    input: { maxLength: 4000 }
    save: text
  - id: double
    set: { long: "{{text}}{{text}}" }
  - id: check
    if: { var: long, matches: "^(a+)+$" }
    then: plain
    else: other
  - id: plain
    say: { en: "Only a's.", ru: "Только a." }
  - id: done
    end: resolved
  - id: other
    say: { en: "Something else.", ru: "Что-то другое." }
    next: done
`;

  beforeAll(() => {
    expect(order).toContain('pattern: "^(a+)+$"');
    redis = connectTestRedis();
    engine = new Engine({
      flows: loaded(writeFlowFixture({ "order.yaml": order, "echo.yaml": echo })),
      store: new ConversationStore(redis, { prefix }),
    });
  });
  afterAll(async () => {
    await dropPrefix(redis, prefix);
    await redis.quit();
  });

  function customer() {
    const id = randomUUID().slice(0, 8);
    let n = 0;
    const base = () => ({
      idempotencyKey: `test:${id}:${++n}`,
      conversationKey: `test:${id}`,
      address: { channel: "test", chatId: id },
      user: { id, name: "Alex", locale: "en" },
      at: Date.now(),
    });
    return {
      says: (text: string): InboundMessage => ({ ...base(), type: "message", text }),
      commands: (command: string): InboundEvent => ({
        ...base(),
        type: "command",
        command,
        args: "",
      }),
    };
  }
  const texts = (r: { messages: { text: string }[] }) => r.messages.map((m) => m.text).join("\n");

  // A hang shows as this test's own timeout (30 s in vitest.config.ts); nothing here is timed.
  it("answers the attacker with the retry text, and another customer meanwhile", async () => {
    const mallory = customer();
    const alex = customer();
    expect((await engine.handle(mallory.says("where is my order"))).step).toBe("number");

    for (const attack of [`${"a".repeat(28)}!`, `${"a".repeat(3999)}!`, `${"a".repeat(5000)}!`]) {
      const [attacked, other] = await Promise.all([
        engine.handle(mallory.says(attack)),
        engine.handle(alex.commands("start")),
      ]);
      expect(texts(attacked)).toContain("Order numbers look like AB-1234.");
      expect(attacked.step).toBe("number");
      expect(texts(other)).toContain("How can I help?");
    }

    const right = await engine.handle(mallory.says("a".repeat(28)));
    expect(texts(right)).toContain(`Order ${"a".repeat(28)} ships tomorrow.`);
  });

  it("runs if.matches on a 5,000-character variable, capped, while others are answered", async () => {
    const mallory = customer();
    const alex = customer();
    expect(texts(await engine.handle(mallory.commands("echo")))).toContain("Say something.");
    const [attacked, other] = await Promise.all([
      engine.handle(mallory.says(`${"a".repeat(2499)}!`)), // 5,000 characters once doubled
      engine.handle(alex.commands("start")),
    ]);
    expect(texts(attacked)).toContain("Something else.");
    expect(texts(other)).toContain("How can I help?");

    await engine.handle(mallory.commands("echo"));
    // 5,000 a's; the pattern sees the first MAX_PATTERN_INPUT of them, all a's
    expect(texts(await engine.handle(mallory.says("a".repeat(2500))))).toContain("Only a's.");
  });
});
