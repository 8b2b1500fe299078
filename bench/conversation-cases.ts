// The labelled lines of `npm run bench:conversation`: read from conversation-data/<locale>.json,
// checked against the shipped flows (every flow, question and button named must exist) and
// against the flows' own trigger examples (a line copied from them would measure nothing).

import { readFileSync } from "node:fs";
import type { FlowSet } from "../src/flows/flowset.ts";
import type { FlowStep } from "../src/flows/schema.ts";

export type Kind =
  | "offTopic"
  | "paraphrase"
  | "greetingProblem"
  | "typed"
  | "offTopicBlind"
  | "paraphraseBlind";

export const KINDS: Kind[] = [
  "offTopic",
  "paraphrase",
  "greetingProblem",
  "typed",
  "offTopicBlind",
  "paraphraseBlind",
];

/** Lines judged as off-topic: no topical flow may answer them. */
export function isOffTopic(kind: Kind): boolean {
  return kind === "offTopic" || kind === "offTopicBlind";
}

/** How a customer reaches a button question: a command, a message, or pressing button #i. */
export type PathTurn = { command: string } | { text: string } | { press: number };

export interface TypedTarget {
  /** "flow/step" of the button question. */
  question: string;
  flowId: string;
  stepId: string;
  index: number;
  /** The button's value, or the flow it opens: how the data files name it. */
  key: string;
  /** Every button of the question in this locale, for nlp.js. */
  labels: { label: string; value?: string }[];
  path: PathTurn[];
}

export interface Case {
  locale: string;
  kind: Kind;
  text: string;
  /** Flow id for paraphrases and greeting+problem; "not topical" for off-topic; question and button label for typed. */
  expected: string;
  typed?: TypedTarget;
}

interface LocaleFile {
  offTopic: string[];
  paraphrases: Record<string, string[]>;
  greetingProblem: Record<string, string[]>;
  typed: Record<string, Record<string, string[]>>;
}

type AskStep = Extract<FlowStep, { ask: unknown }>;

const DATA = new URL("./conversation-data/", import.meta.url);

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, DATA), "utf8")) as T;
}

/** Lower case, no punctuation or diacritics, single spaces: "copied" means equal after this. */
function canonical(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function buttonKey(step: AskStep, index: number): string {
  const b = step.buttons![index]!;
  if (b.value !== undefined) return b.value;
  if (typeof b.goto === "object") return b.goto.flow;
  return typeof b.goto === "string" ? b.goto : String(index + 1);
}

/** Flows that answer a topic: all but the fallback, the menu/start flow and small talk. */
export function topicalFlows(set: FlowSet): Set<string> {
  const { fallbackFlow, menuFlow, startFlow } = set.bot;
  return new Set(
    [...set.flows.values()]
      .filter((f) => ![fallbackFlow, menuFlow, startFlow].includes(f.id) && !f.def.smalltalk)
      .map((f) => f.id),
  );
}

export function loadCases(set: FlowSet): Case[] {
  const paths = readJson<Record<string, PathTurn[] | string>>("paths.json");
  const examples = new Set<string>();
  for (const flow of set.flows.values())
    for (const texts of Object.values(flow.def.triggers?.examples ?? {}))
      for (const t of texts) examples.add(canonical(t));
  const problems: string[] = [];
  const cases: Case[] = [];
  const add = (c: Case) => {
    if (examples.has(canonical(c.text)))
      problems.push(`${c.locale}: "${c.text}" is one of the flows' trigger examples`);
    cases.push(c);
  };
  const needFlow = (locale: string, id: string) => {
    if (!set.flows.has(id)) problems.push(`${locale}: no flow "${id}"`);
  };

  // Written by a separate writer who saw neither the flows nor the other lines, after the
  // matcher and the flows' examples had been tuned (session 8): a check on that tuning.
  const blind =
    readJson<Record<string, Pick<LocaleFile, "offTopic" | "paraphrases">>>("blind.json");
  for (const locale of set.bot.locales) {
    const data = readJson<LocaleFile>(`${locale}.json`);
    for (const text of blind[locale]?.offTopic ?? [])
      add({ locale, kind: "offTopicBlind", text, expected: "not topical" });
    for (const [flow, texts] of Object.entries(blind[locale]?.paraphrases ?? {})) {
      needFlow(locale, flow);
      for (const text of texts) add({ locale, kind: "paraphraseBlind", text, expected: flow });
    }
    for (const text of data.offTopic)
      add({ locale, kind: "offTopic", text, expected: "not topical" });
    for (const [flow, texts] of Object.entries(data.paraphrases)) {
      needFlow(locale, flow);
      for (const text of texts) add({ locale, kind: "paraphrase", text, expected: flow });
    }
    for (const [flow, texts] of Object.entries(data.greetingProblem)) {
      needFlow(locale, flow);
      for (const text of texts) add({ locale, kind: "greetingProblem", text, expected: flow });
    }
    for (const [question, byButton] of Object.entries(data.typed)) {
      const [flowId = "", stepId = ""] = question.split("/");
      const step = set.flows.get(flowId)?.steps.get(stepId);
      const path = paths[question];
      if (!step || !("ask" in step) || !step.buttons?.length || !Array.isArray(path)) {
        problems.push(
          `${locale}: "${question}" is not a button question with a path in paths.json`,
        );
        continue;
      }
      const labels = step.buttons.map((b) => ({
        label: b.label[locale] ?? "",
        ...(b.value !== undefined ? { value: b.value } : {}),
      }));
      for (const [key, texts] of Object.entries(byButton)) {
        const index = step.buttons.findIndex((_, i) => buttonKey(step, i) === key);
        if (index < 0) problems.push(`${locale}: "${question}" has no button "${key}"`);
        for (const text of texts) {
          // The engine already presses a button whose exact label or number is typed.
          const all = Object.values(step.buttons[index]?.label ?? {}).map(canonical);
          if (all.includes(canonical(text)) || /^\d+$/.test(text.trim()))
            problems.push(`${locale}: "${text}" is a button label or number, not a typed answer`);
          const typed = { question, flowId, stepId, index, key, labels, path };
          const label = labels[index]?.label ?? key;
          add({ locale, kind: "typed", text, expected: `${question} button "${label}"`, typed });
        }
      }
    }
    // Every button of every question needs a typed line, so none is silently left out.
    for (const [question, path] of Object.entries(paths)) {
      if (!Array.isArray(path)) continue;
      const [flowId = "", stepId = ""] = question.split("/");
      const step = set.flows.get(flowId)?.steps.get(stepId) as AskStep | undefined;
      step?.buttons?.forEach((_, i) => {
        if (!data.typed[question]?.[buttonKey(step, i)]?.length)
          problems.push(
            `${locale}: no typed answer for "${question}" button "${buttonKey(step, i)}"`,
          );
      });
    }
  }
  // A button question the data does not cover at all.
  for (const flow of set.flows.values())
    for (const [id, step] of flow.steps)
      if ("ask" in step && step.buttons?.length && !Array.isArray(paths[`${flow.id}/${id}`]))
        problems.push(`paths.json: no path to the button question "${flow.id}/${id}"`);
  if (problems.length > 0)
    throw new Error(`conversation-data does not fit the flows:\n  ${problems.join("\n  ")}`);
  return cases;
}
