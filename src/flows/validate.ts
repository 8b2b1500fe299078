// Cross-file rules the schema alone cannot express: references, translations, regexes,
// reachability, loops without a customer turn, and limits the platforms impose.
import { buttonPayload, type FlowSet, resolveRef } from "./flowset.ts";
import { explicitEdges, successors } from "./graph.ts";
import type { PlatformLimits } from "./load.ts";
import { patternProblem } from "./pattern.ts";
import type { FlowProblem } from "./problems.ts";
import { type FlowStep, type LocalizedText, type StepRefSpec, stepKind } from "./schema.ts";
import type { YamlPath, YamlSource } from "./source.ts";

/** Commands the runtime handles itself; flows may not claim them. */
export const RESERVED_COMMANDS = ["start", "menu", "human", "help", "language", "status", "cancel"];

export function checkFlowSet(
  set: FlowSet,
  sources: Map<string, YamlSource>,
  botSource: YamlSource,
  brokenFlowIds: Set<string> = new Set(),
  platforms: readonly PlatformLimits[] = [],
): FlowProblem[] {
  // Button payloads must fit the strictest configured platform (Telegram: 64 bytes).
  const strictest = [...platforms].sort((a, b) => a.limits.payloadBytes - b.limits.payloadBytes)[0];
  const problems: FlowProblem[] = [];
  const { bot } = set;
  const locales = bot.locales;

  // Bot settings.
  if (!locales.includes(bot.defaultLocale)) {
    problems.push(
      botSource.problem(
        ["defaultLocale"],
        `defaultLocale "${bot.defaultLocale}" is not in locales [${locales.join(", ")}]`,
      ),
    );
  }
  for (const locale of locales) {
    if (!bot.languageNames[locale]) {
      problems.push(
        botSource.problem(["languageNames"], `languageNames has no name for locale "${locale}"`),
      );
    }
  }
  for (const key of ["startFlow", "menuFlow", "humanFlow", "fallbackFlow"] as const) {
    if (!set.flows.has(bot[key]) && !brokenFlowIds.has(bot[key])) {
      problems.push(
        botSource.problem(
          [key],
          `${key} "${bot[key]}" is not a flow id (flows: ${[...set.flows.keys()].join(", ")})`,
        ),
      );
    }
  }
  for (const [name, text] of Object.entries(bot.messages)) {
    problems.push(...checkLocalized(botSource, ["messages", name], text, locales));
  }
  for (const [name, text] of Object.entries(bot.desk?.messages ?? {})) {
    problems.push(...checkLocalized(botSource, ["desk", "messages", name], text, locales));
  }
  for (const [name, text] of Object.entries(bot.commandMenu ?? {})) {
    problems.push(...checkLocalized(botSource, ["commandMenu", name], text, locales));
  }

  for (const flow of set.flows.values()) {
    const source = sources.get(flow.id)!;
    const { def } = flow;
    problems.push(...checkLocalized(source, ["title"], def.title, locales));

    // Triggers.
    for (const [kind, perLocale] of [
      ["examples", def.triggers?.examples],
      ["keywords", def.triggers?.keywords],
    ] as const) {
      for (const locale of Object.keys(perLocale ?? {})) {
        if (!locales.includes(locale)) {
          problems.push(
            source.problem(
              ["triggers", kind, locale],
              `locale "${locale}" is not declared in frontline.yaml (locales: ${locales.join(", ")})`,
              locale,
            ),
          );
        }
      }
    }
    def.triggers?.commands?.forEach((command, i) => {
      const owner = set.commands.get(command);
      if (RESERVED_COMMANDS.includes(command)) {
        problems.push(
          source.problem(
            ["triggers", "commands", i],
            `/${command} is handled by Frontline itself; choose another command`,
          ),
        );
      } else if (owner) {
        problems.push(
          source.problem(
            ["triggers", "commands", i],
            `/${command} is already the trigger of flow "${owner}"`,
          ),
        );
      } else set.commands.set(command, flow.id);
    });
    def.triggers?.payloads?.forEach((payload, i) => {
      const owner = set.payloads.get(payload);
      if (owner)
        problems.push(
          source.problem(
            ["triggers", "payloads", i],
            `payload "${payload}" is already the trigger of flow "${owner}"`,
          ),
        );
      else set.payloads.set(payload, flow.id);
    });

    // Steps.
    const seen = new Map<string, number>();
    def.steps.forEach((step, i) => {
      const path = ["steps", i];
      if (seen.has(step.id)) {
        problems.push(
          source.problem(
            [...path, "id"],
            `duplicate step id "${step.id}" (first at steps[${seen.get(step.id)}])`,
          ),
        );
      } else seen.set(step.id, i);
      for (const edge of explicitEdges(step)) {
        const intoBroken = typeof edge.ref !== "string" && brokenFlowIds.has(edge.ref.flow);
        if (!intoBroken && !resolveRef(set, flow.id, edge.ref)) {
          problems.push(
            source.problem([...path, ...edge.field], describeMissing(set, flow.id, edge.ref)),
          );
        }
      }
      problems.push(...checkStepTexts(source, path, step, locales));
      problems.push(...checkStepRules(source, path, step, flow.id, strictest));
    });

    // Reachability inside the flow: from its first step and from steps other flows enter.
    const reached = reachableFrom(set, flow.id, [
      flow.order[0]!,
      ...entryPointsFromOtherFlows(set, flow.id),
    ]);
    def.steps.forEach((step, i) => {
      if (!reached.has(step.id)) {
        problems.push(
          source.problem(
            ["steps", i, "id"],
            `step "${step.id}" is unreachable: no step leads to it; remove it or add a next/goto`,
          ),
        );
      }
    });
  }

  problems.push(...findSilentLoops(set, sources));
  return problems;
}

function describeMissing(set: FlowSet, fromFlow: string, ref: StepRefSpec): string {
  if (typeof ref === "string") {
    const flow = set.flows.get(fromFlow)!;
    return `goes to step "${ref}", which does not exist in flow "${fromFlow}" (steps: ${flow.order.join(", ")})`;
  }
  const target = set.flows.get(ref.flow);
  if (!target)
    return `goes to flow "${ref.flow}", which does not exist (flows: ${[...set.flows.keys()].join(", ")})`;
  return `goes to step "${ref.step}" of flow "${ref.flow}", which does not exist (steps: ${target.order.join(", ")})`;
}

function checkLocalized(
  source: YamlSource,
  path: YamlPath,
  text: LocalizedText,
  locales: string[],
): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const missing = locales.filter((l) => !(l in text));
  if (missing.length > 0) {
    problems.push(
      source.problem(
        path,
        `missing translation for ${missing.map((l) => `"${l}"`).join(", ")} (declared locales: ${locales.join(", ")})`,
      ),
    );
  }
  for (const locale of Object.keys(text)) {
    if (!locales.includes(locale)) {
      problems.push(
        source.problem(
          path,
          `locale "${locale}" is not declared in frontline.yaml (locales: ${locales.join(", ")})`,
          locale,
        ),
      );
    }
  }
  return problems;
}

function checkStepTexts(
  source: YamlSource,
  path: YamlPath,
  step: FlowStep,
  locales: string[],
): FlowProblem[] {
  const texts: [YamlPath, LocalizedText | undefined][] = [];
  if ("say" in step) texts.push([[...path, "say"], step.say]);
  if ("ask" in step) {
    texts.push([[...path, "ask"], step.ask], [[...path, "retry"], step.retry]);
    step.buttons?.forEach((b, i) => {
      texts.push([[...path, "buttons", i, "label"], b.label]);
    });
  }
  return texts.flatMap(([p, t]) => (t ? checkLocalized(source, p, t, locales) : []));
}

function checkStepRules(
  source: YamlSource,
  path: YamlPath,
  step: FlowStep,
  flowId: string,
  strictest: PlatformLimits | undefined,
): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const regexAt = (pattern: string | undefined, at: YamlPath) => {
    if (pattern === undefined) return;
    const problem = patternProblem(pattern);
    if (problem) problems.push(source.problem(at, problem));
  };
  if ("ask" in step) {
    if (!step.input && !(step.buttons && step.buttons.length > 0)) {
      problems.push(
        source.problem(
          path,
          `ask step "${step.id}" has neither buttons nor input: the customer could not answer`,
        ),
      );
    }
    regexAt(step.input?.pattern, [...path, "input", "pattern"]);
    step.buttons?.forEach((_, i) => {
      const bytes = Buffer.byteLength(buttonPayload(flowId, step.id, i));
      if (strictest && bytes > strictest.limits.payloadBytes) {
        problems.push(
          source.problem(
            [...path, "buttons", i],
            `button payload "${buttonPayload(flowId, step.id, i)}" is ${bytes} bytes; ${strictest.name} allows ${strictest.limits.payloadBytes}: shorten the flow or step id`,
          ),
        );
      }
    });
  }
  if ("if" in step) {
    const ops = (["equals", "in", "matches", "exists"] as const).filter(
      (k) => step.if[k] !== undefined,
    );
    if (ops.length !== 1) {
      problems.push(
        source.problem(
          [...path, "if"],
          `a condition needs exactly one of equals, in, matches, exists (found ${ops.length ? ops.join(", ") : "none"})`,
        ),
      );
    }
    regexAt(step.if.matches, [...path, "if", "matches"]);
  }
  return problems;
}

function entryPointsFromOtherFlows(set: FlowSet, flowId: string): string[] {
  const entries: string[] = [];
  for (const flow of set.flows.values()) {
    if (flow.id === flowId) continue;
    for (const step of flow.def.steps) {
      for (const { ref } of explicitEdges(step)) {
        if (typeof ref !== "string" && ref.flow === flowId && ref.step) entries.push(ref.step);
      }
    }
  }
  return entries;
}

function reachableFrom(set: FlowSet, flowId: string, starts: string[]): Set<string> {
  const reached = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const next of successors(set, flowId, id))
      if (next.flowId === flowId) stack.push(next.stepId);
  }
  return reached;
}

/**
 * A cycle through steps that never wait for the customer would spin forever. Asks wait, so
 * they cut every cycle; escalate and end stop. Depth-first search with colours over all flows.
 */
function findSilentLoops(set: FlowSet, sources: Map<string, YamlSource>): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const state = new Map<string, "open" | "done">();
  const key = (f: string, s: string) => `${f}/${s}`;
  const visit = (flowId: string, stepId: string, trail: string[]): void => {
    const k = key(flowId, stepId);
    if (state.get(k) === "done") return;
    if (state.get(k) === "open") {
      const cycle = [...trail.slice(trail.indexOf(k)), k];
      const flow = set.flows.get(flowId)!;
      problems.push(
        sources
          .get(flowId)!
          .problem(
            ["steps", flow.order.indexOf(stepId)],
            `loop without a customer turn: ${cycle.join(" → ")}; put an ask step in the loop or break it`,
          ),
      );
      return;
    }
    const step = set.flows.get(flowId)?.steps.get(stepId);
    if (!step || stepKind(step) === "ask") return;
    state.set(k, "open");
    for (const next of successors(set, flowId, stepId))
      visit(next.flowId, next.stepId, [...trail, k]);
    state.set(k, "done");
  };
  for (const flow of set.flows.values())
    for (const stepId of flow.order) visit(flow.id, stepId, []);
  return problems;
}
