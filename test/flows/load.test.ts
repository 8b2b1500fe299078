import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { telegramPlugin } from "../../adapters/telegram/index.ts";
import { loadFlows } from "../../src/flows/load.ts";
import type { FlowProblem } from "../../src/flows/problems.ts";
import { FLOWS, writeFlowFixture } from "../support/flow-fixture.ts";

function problemsOf(dir: string): FlowProblem[] {
  const result = loadFlows(dir);
  if (result.ok) throw new Error("expected problems, flows loaded fine");
  return result.problems;
}

/** Line (1-based) of the first line containing `needle` in a fixture text. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in fixture`);
  return i + 1;
}

describe("platform limits", () => {
  it("button payloads must fit the strictest configured platform, named in the problem", () => {
    const longStep = "s".repeat(60);
    const dir = writeFlowFixture({
      "order.yaml": FLOWS["order.yaml"]!.replace("  - id: number", `  - id: ${longStep}`).replace(
        '    ask: { en: "Your order number?", ru: "Номер заказа?" }',
        '    ask: { en: "Your order number?", ru: "Номер заказа?" }\n    buttons:\n      - label: { en: "No number", ru: "Нет номера" }\n        goto: handover',
      ),
    });
    expect(loadFlows(dir).ok).toBe(true); // no platform: nothing to fit
    const result = loadFlows(dir, { platforms: [telegramPlugin] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(/button payload ".*" is \d+ bytes; telegram allows 64/),
    );
  });
});

describe("loading flows", () => {
  it("loads a valid directory into an indexed flow set", () => {
    const result = loadFlows(writeFlowFixture());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.flowSet.flows.keys()].sort()).toEqual([
      "fallback",
      "hello",
      "human",
      "order",
    ]);
    expect(result.flowSet.commands.get("hi")).toBe("hello");
    expect(result.flowSet.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("validates the shipped flows", () => {
    const result = loadFlows("flows");
    if (!result.ok)
      throw new Error(result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join("\n"));
  });

  it("reports malformed YAML with its position", () => {
    const broken = "id: order\ntitle: { en: Order\nsteps: [\n";
    const problems = problemsOf(writeFlowFixture({ "order.yaml": broken }));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.file).toMatch(/order\.yaml$/);
    expect(problems[0]!.message).toMatch(/^YAML: /);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("reports every problem of a broken copy at once, each at its line", () => {
    const order = FLOWS["order.yaml"]!.replace(
      "  - id: answer\n    say:",
      "  - id: answer\n    shout:",
    )
      .replace("onFail: handover", "onFail: nowhere")
      .replace(
        'retry: { en: "Order numbers look like AB-1234.", ru: "Номер выглядит так: AB-1234." }',
        'retry: { en: "Order numbers look like AB-1234." }',
      )
      .replace('pattern: "^[A-Z]{2}-\\\\d{4}$"', 'pattern: "^[A-Z{2"');
    const dir = writeFlowFixture({ "order.yaml": order });
    const problems = problemsOf(dir).filter((p) => p.file.endsWith("order.yaml"));
    const find = (re: RegExp) => {
      const p = problems.find((x) => re.test(x.message));
      if (!p)
        throw new Error(
          `no problem matching ${re} in:\n${problems.map((x) => x.message).join("\n")}`,
        );
      return p;
    };
    expect(find(/unknown step kind \(shout\)/).line).toBe(lineOf(order, "shout:"));
    expect(find(/goes to step "nowhere"/).line).toBe(lineOf(order, "onFail: nowhere"));
    expect(find(/missing translation for "ru"/).line).toBe(lineOf(order, "retry:"));
    expect(find(/bad regular expression/).line).toBe(lineOf(order, "pattern:"));
  });

  it("reports duplicate ids, unreachable steps and unknown locales", () => {
    const hello = FLOWS["hello.yaml"]!.replace(
      "    ru: [привет",
      "    de: [hallo]\n    ru: [привет",
    );
    const order = FLOWS["order.yaml"]!.replace(
      "  - id: done\n",
      "  - id: answer\n    say: { en: again, ru: снова }\n  - id: done\n",
    );
    const problems = problemsOf(
      writeFlowFixture({
        "hello.yaml": hello,
        "order.yaml": order,
        "copy.yaml": FLOWS["human.yaml"]!,
      }),
    );
    const messages = problems.map((p) => p.message).join("\n");
    expect(messages).toMatch(/duplicate flow id "human"/);
    expect(messages).toMatch(/duplicate step id "answer"/);
    expect(messages).toMatch(/locale "de" is not declared/);
  });

  it("finds an unreachable step", () => {
    const order = FLOWS["order.yaml"]!.replace(
      "  - id: done\n    end: resolved\n",
      "  - id: done\n    end: resolved\n  - id: orphan\n    say: { en: lost, ru: потерян }\n    next: done\n",
    );
    const problems = problemsOf(writeFlowFixture({ "order.yaml": order }));
    const p = problems.find((x) => /step "orphan" is unreachable/.test(x.message));
    expect(p?.line).toBe(lineOf(order, "id: orphan"));
  });

  it("refuses a goto cycle with no customer turn in it, across flows too", () => {
    const fallback = `id: fallback
title: { en: Not sure, ru: Не понял }
steps:
  - id: sorry
    say: { en: "Hmm.", ru: "Хм." }
  - id: again
    goto: { flow: human, step: loop }
`;
    const human = `id: human
title: { en: Person, ru: Человек }
steps:
  - id: go
    escalate: { skill: general, reason: asked }
  - id: loop
    goto: { flow: fallback }
`;
    const problems = problemsOf(
      writeFlowFixture({ "fallback.yaml": fallback, "human.yaml": human }),
    );
    expect(problems.map((p) => p.message).join("\n")).toMatch(
      /loop without a customer turn: .*fallback\/sorry.*human\/loop/,
    );
  });

  it("requires frontline.yaml and checks that its flows exist", () => {
    const dir = mkdtempSync(join(tmpdir(), "frontline-flows-"));
    cpSync(writeFlowFixture(), dir, { recursive: true });
    writeFileSync(
      join(dir, "frontline.yaml"),
      readFileSync(join(dir, "frontline.yaml"), "utf8").replace(
        "humanFlow: human",
        "humanFlow: people",
      ),
    );
    expect(
      problemsOf(dir)
        .map((p) => p.message)
        .join("\n"),
    ).toMatch(/humanFlow "people" is not a flow id/);
    writeFileSync(join(dir, "frontline.yaml"), "");
    expect(problemsOf(dir).some((p) => p.file.endsWith("frontline.yaml"))).toBe(true);
  });

  it("reports a missing directory clearly", () => {
    expect(problemsOf("/nonexistent/flows")[0]!.message).toMatch(/flows directory not found/);
  });
});
