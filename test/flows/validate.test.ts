// Cross-file checks of src/flows/validate.ts: {{variables}}, no cascades after a schema
// problem, and triggers two flows claim.
import { describe, expect, it } from "vitest";
import { loadFlows } from "../../src/flows/load.ts";
import type { FlowProblem } from "../../src/flows/problems.ts";
import { FLOWS, writeFlowFixture } from "../support/flow-fixture.ts";

function problemsOf(overrides: Record<string, string>): FlowProblem[] {
  const result = loadFlows(writeFlowFixture(overrides));
  if (result.ok) throw new Error("expected problems, flows loaded fine");
  return result.problems;
}

/** 1-based line and column of the first `needle` in a fixture text. */
function at(text: string, needle: string): { line: number; column: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`"${needle}" not in fixture`);
  const before = text.slice(0, i).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

const where = (p: FlowProblem) => ({ line: p.line, column: p.column });
const listed = (problems: FlowProblem[]) =>
  problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join("\n");

/** Swaps one piece of a fixture text, failing loudly when the piece is not there. */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`"${from}" not in fixture`);
  return text.replace(from, to);
}

describe("{{variables}} in flow texts", () => {
  it("reports a variable no step saves at its own position, naming where variables come from", () => {
    const order = edit(FLOWS["order.yaml"]!, '"Order {{order}} ships', '"Order {{ordr}} ships');
    const problems = problemsOf({ "order.yaml": order });
    expect(problems, listed(problems)).toHaveLength(1);
    expect(problems[0]!.file).toMatch(/order\.yaml$/);
    expect(where(problems[0]!)).toEqual(at(order, "{{ordr}}"));
    expect(problems[0]!.message).toMatch(/\{\{ordr\}\} is never saved/);
    expect(problems[0]!.message).toMatch(/did you mean \{\{order\}\}/);
    expect(problems[0]!.message).toMatch(/save:.*set:.*user\.name.*desk\.\*/);
  });

  it("checks every text the template fills in; saved, user.name and desk.* names pass", () => {
    const places = `id: places
title: { en: Places, ru: Места }
steps:
  - id: greet
    set: { greeting: "Hello {{user.name}}", copy: "{{set_typo}}" }
  - id: pick
    ask: { en: "{{greeting}}, pick one", ru: "{{ greeting }}, выберите" }
    buttons:
      - label: { en: "For {{label_typo}}", ru: "Для" }
    save: choice
    retry: { en: "Again, {{retry_typo}}", ru: "Ещё раз" }
  - id: tell
    say: { en: "{{choice}} for {{order}}, {{desk.hours}}", ru: "Вы выбрали {{ Choice }}" }
  - id: note
    say:
      en: |
        Two lines about {{choice}},
        then {{block_typo}}.
      ru: "Две строки"
  - id: hand
    escalate: { skill: general, reason: "Chose {{reason_typo}}" }
    say: { en: "Passing {{say_typo}} on", ru: "Передаю" }
`;
    const problems = problemsOf({ "places.yaml": places });
    expect(
      problems.every((p) => p.file.endsWith("places.yaml")),
      listed(problems),
    ).toBe(true);
    const typos = ["set_typo", "label_typo", "retry_typo", "block_typo", "reason_typo", "say_typo"];
    const expected = [
      ...typos.map((name) => ({
        ...at(places, `{{${name}}}`),
        name: `{{${name}}} is never saved`,
      })),
      { ...at(places, "{{ Choice }}"), name: "{{Choice}} is not a variable" },
    ];
    const found = problems.map((p) => ({
      ...where(p),
      name: expected.find((e) => p.message.includes(e.name))?.name,
    }));
    expect(found).toEqual(expect.arrayContaining(expected));
    expect(problems, listed(problems)).toHaveLength(expected.length);
  });
});

describe("one schema problem is one problem", () => {
  it("a misspelt step kind does not make the steps after it unreachable", () => {
    const order = edit(
      FLOWS["order.yaml"]!,
      "  - id: answer\n    say:",
      "  - id: answer\n    sayy:",
    );
    const problems = problemsOf({ "order.yaml": order });
    expect(problems, listed(problems)).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/unknown step kind \(sayy\)/);
  });

  it("a misspelt key in an ask loses neither its edges nor the variable it saves", () => {
    const order = edit(FLOWS["order.yaml"]!, "    retry:", "    retyr:");
    const problems = problemsOf({ "order.yaml": order });
    expect(problems, listed(problems)).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/unknown key "retyr"/);
    expect(where(problems[0]!)).toEqual(at(order, "retyr:"));
  });

  describe("steps another flow enters", () => {
    // human/later is entered only from a button of hello/menu.
    const hello = edit(
      FLOWS["hello.yaml"]!,
      "      - label: { en: A person, ru: Человек }\n        goto: { flow: human }\n",
      "      - label: { en: A person, ru: Человек }\n        goto: { flow: human }\n" +
        "      - label: { en: Later, ru: Позже }\n        goto: { flow: human, step: later }\n",
    );
    const human = `${FLOWS["human.yaml"]!}  - id: later\n    end: unresolved\n`;

    it("stay reached when the entering step has a schema problem", () => {
      expect(loadFlows(writeFlowFixture({ "hello.yaml": hello, "human.yaml": human })).ok).toBe(
        true,
      );
      const broken = edit(
        hello,
        '    ask: { en: "How',
        '    maxRetries: many\n    ask: { en: "How',
      );
      const problems = problemsOf({ "hello.yaml": broken, "human.yaml": human });
      expect(problems, listed(problems)).toHaveLength(1);
      expect(problems[0]!.file).toMatch(/hello\.yaml$/);
    });

    it("stay reached when the entering flow has a schema problem of its own", () => {
      const broken = edit(hello, "triggers:", "trigers:");
      const problems = problemsOf({ "hello.yaml": broken, "human.yaml": human });
      expect(problems, listed(problems)).toHaveLength(1);
      expect(problems[0]!.message).toMatch(/unknown key "trigers"/);
    });
  });
});

describe("a trigger two flows claim", () => {
  const fallback = edit(
    FLOWS["fallback.yaml"]!,
    "steps:",
    "triggers:\n  commands: [hi]\n  payloads: [go]\nsteps:",
  );
  const hello = edit(
    FLOWS["hello.yaml"]!,
    "  commands: [hi]",
    "  commands: [hi]\n  payloads: [go]",
  );

  it("is reported on the file that loads later, naming the flow and file that have it", () => {
    // fallback.yaml loads before hello.yaml, which has claimed /hi all along.
    const problems = problemsOf({ "fallback.yaml": fallback, "hello.yaml": hello });
    expect(problems, listed(problems)).toHaveLength(2);
    const [command, payload] = problems;
    expect(command!.file).toMatch(/hello\.yaml$/);
    expect(where(command!)).toEqual(at(hello, "hi]"));
    expect(command!.message).toMatch(
      /^\/hi is already the trigger of flow "fallback" \(.*fallback\.yaml\), which loads first/,
    );
    expect(payload!.file).toMatch(/hello\.yaml$/);
    expect(where(payload!)).toEqual(at(hello, "go]"));
    expect(payload!.message).toMatch(/^payload "go" is already the trigger of flow "fallback"/);
  });

  it("the other way round too: a file loading after hello.yaml is told", () => {
    const zeta = edit(fallback, "id: fallback", "id: zeta");
    const problems = problemsOf({ "zeta.yaml": zeta });
    expect(
      problems.map((p) => p.file.replace(/.*\//, "")),
      listed(problems),
    ).toEqual(["zeta.yaml"]);
    expect(problems[0]!.message).toMatch(/flow "hello" \(.*hello\.yaml\)/);
  });

  it("listed twice by one flow says so, not that the flow already has it", () => {
    const twice = edit(FLOWS["hello.yaml"]!, "  commands: [hi]", "  commands: [hi, hi]");
    const problems = problemsOf({ "hello.yaml": twice });
    expect(problems, listed(problems)).toHaveLength(1);
    expect(problems[0]!.message).toBe("/hi is listed twice in this flow");
    expect(where(problems[0]!)).toEqual(at(twice, "hi]"));
  });
});
