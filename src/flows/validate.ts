// Cross-file rules the schema alone cannot express: references, translations, regexes,
// reachability, loops without a customer turn, {{variables}}, and limits the platforms impose.
import { buttonPayload, type CompiledFlow, type FlowSet, resolveRef } from "./flowset.ts";
import { explicitEdges, successors } from "./graph.ts";
import type { PlatformLimits } from "./load.ts";
import { patternProblem } from "./pattern.ts";
import type { FlowProblem } from "./problems.ts";
import { type FlowStep, type LocalizedText, type StepRefSpec, stepKind } from "./schema.ts";
import type { YamlPath, YamlSource } from "./source.ts";

/** Commands the runtime handles itself; flows may not claim them. */
export const RESERVED_COMMANDS = ["start", "menu", "human", "help", "language", "status", "cancel"];

/**
 * What the schema check could not read. Those places are reported once, by the schema; the
 * checks here must neither report their absence again nor miss what they held.
 */
export interface SchemaGaps {
  /** Flows whose file failed the schema: references to them are not reported again. */
  flowIds: Set<string>;
  /** Steps replaced by a stand-in, by flow id: where they lead is unknown, so maybe anywhere. */
  standIns: Map<string, Set<string>>;
  /** The raw YAML of refused flows and steps: searched for references and saved variables. */
  raw: unknown[];
}

export function noGaps(): SchemaGaps {
  return { flowIds: new Set(), standIns: new Map(), raw: [] };
}

export interface CheckOptions {
  gaps?: SchemaGaps;
  platforms?: readonly PlatformLimits[];
  /** Each file's text by its shown name, to point at a placeholder inside a text. */
  texts?: ReadonlyMap<string, string>;
}

export function checkFlowSet(
  set: FlowSet,
  sources: Map<string, YamlSource>,
  botSource: YamlSource,
  options: CheckOptions = {},
): FlowProblem[] {
  const gaps = options.gaps ?? noGaps();
  // Button payloads must fit the strictest configured platform (Telegram: 64 bytes).
  const strictest = [...(options.platforms ?? [])].sort(
    (a, b) => a.limits.payloadBytes - b.limits.payloadBytes,
  )[0];
  const salvaged = salvage(gaps.raw);
  const problems = checkBotSettings(set, botSource, gaps.flowIds);
  // In load order: of two flows claiming one trigger, the later one is told.
  for (const flow of set.flows.values()) {
    const source = sources.get(flow.id)!;
    problems.push(
      ...checkLocalized(source, ["title"], flow.def.title, set.bot.locales),
      ...checkTriggers(set, flow, source),
      ...checkSteps(set, flow, source, gaps.flowIds, strictest),
      ...checkReachability(set, flow, source, gaps.standIns.get(flow.id), salvaged.refs),
    );
  }
  problems.push(...checkVariables(set, sources, savedVariables(set, salvaged.saved), options));
  problems.push(...findSilentLoops(set, sources));
  return problems;
}

function checkBotSettings(
  set: FlowSet,
  botSource: YamlSource,
  brokenFlowIds: Set<string>,
): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const { bot } = set;
  const locales = bot.locales;
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
  const texts: [YamlPath, Record<string, LocalizedText> | undefined][] = [
    [["messages"], bot.messages],
    [["desk", "messages"], bot.desk?.messages],
    [["commandMenu"], bot.commandMenu],
  ];
  for (const [path, byName] of texts) {
    for (const [name, text] of Object.entries(byName ?? {}))
      problems.push(...checkLocalized(botSource, [...path, name], text, locales));
  }
  return problems;
}

function checkTriggers(set: FlowSet, flow: CompiledFlow, source: YamlSource): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const { triggers } = flow.def;
  const locales = set.bot.locales;
  for (const [kind, perLocale] of [
    ["examples", triggers?.examples],
    ["keywords", triggers?.keywords],
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
  triggers?.commands?.forEach((command, i) => {
    const at = ["triggers", "commands", i];
    if (RESERVED_COMMANDS.includes(command)) {
      problems.push(
        source.problem(at, `/${command} is handled by Frontline itself; choose another command`),
      );
    } else problems.push(...claim(set, set.commands, `/${command}`, command, flow, source, at));
  });
  triggers?.payloads?.forEach((payload, i) => {
    const at = ["triggers", "payloads", i];
    problems.push(...claim(set, set.payloads, `payload "${payload}"`, payload, flow, source, at));
  });
  return problems;
}

/**
 * A trigger starts one flow. The first flow to claim it in load order (file name order) keeps
 * it; a later claim is reported where it is made, naming the flow and file that have it.
 */
function claim(
  set: FlowSet,
  owners: Map<string, string>,
  shown: string,
  trigger: string,
  flow: CompiledFlow,
  source: YamlSource,
  at: YamlPath,
): FlowProblem[] {
  const owner = owners.get(trigger);
  if (owner === undefined) {
    owners.set(trigger, flow.id);
    return [];
  }
  if (owner === flow.id) return [source.problem(at, `${shown} is listed twice in this flow`)];
  const file = set.flows.get(owner)?.file;
  return [
    source.problem(
      at,
      `${shown} is already the trigger of flow "${owner}"${file ? ` (${file})` : ""}, which loads first; remove it here or there`,
    ),
  ];
}

function checkSteps(
  set: FlowSet,
  flow: CompiledFlow,
  source: YamlSource,
  brokenFlowIds: Set<string>,
  strictest: PlatformLimits | undefined,
): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const seen = new Map<string, number>();
  flow.def.steps.forEach((step, i) => {
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
    problems.push(...checkStepTexts(source, path, step, set.bot.locales));
    problems.push(...checkStepRules(source, path, step, flow.id, strictest));
  });
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

/** The localized texts of a step, with their YAML paths. */
function stepTexts(path: YamlPath, step: FlowStep): [YamlPath, LocalizedText][] {
  const texts: [YamlPath, LocalizedText | undefined][] = [];
  if ("say" in step) texts.push([[...path, "say"], step.say]);
  if ("ask" in step) {
    texts.push([[...path, "ask"], step.ask], [[...path, "retry"], step.retry]);
    step.buttons?.forEach((b, i) => {
      texts.push([[...path, "buttons", i, "label"], b.label]);
    });
  }
  return texts.filter((t): t is [YamlPath, LocalizedText] => t[1] !== undefined);
}

function checkStepTexts(
  source: YamlSource,
  path: YamlPath,
  step: FlowStep,
  locales: string[],
): FlowProblem[] {
  return stepTexts(path, step).flatMap(([p, t]) => checkLocalized(source, p, t, locales));
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

/** A reference found in refused YAML; `anywhere` when it is too garbled to name its step. */
interface SalvagedRef {
  flow: string;
  step?: string;
  anywhere: boolean;
}

/**
 * Step references and saved variables in YAML the schema refused, counted as if they were
 * valid: a typo in one step is one problem, not also "unreachable" or "never saved" elsewhere.
 */
function salvage(raw: unknown[]): { refs: SalvagedRef[]; saved: Set<string> } {
  const refs: SalvagedRef[] = [];
  const saved = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const o = node as Record<string, unknown>;
    if (typeof o.flow === "string") {
      const step = typeof o.step === "string" ? o.step : undefined;
      const clean = Object.keys(o).every((k) => k === "flow" || (k === "step" && step));
      refs.push({ flow: o.flow, step, anywhere: !clean });
    }
    if (typeof o.save === "string") saved.add(o.save);
    if (typeof o.set === "object" && o.set !== null && !Array.isArray(o.set))
      for (const name of Object.keys(o.set)) saved.add(name);
    Object.values(o).forEach(walk);
  };
  raw.forEach(walk);
  return { refs, saved };
}

/**
 * Reachability inside the flow: from its first step and from steps other flows enter. A
 * stand-in for a step the schema refused may lead anywhere in its flow, and is not itself
 * reported: its problem is already told.
 */
function checkReachability(
  set: FlowSet,
  flow: CompiledFlow,
  source: YamlSource,
  standIns: ReadonlySet<string> = new Set(),
  salvaged: SalvagedRef[],
): FlowProblem[] {
  const starts = [flow.order[0]!, ...entryPointsFromOtherFlows(set, flow.id)];
  for (const ref of salvaged) {
    if (ref.flow !== flow.id) continue;
    if (ref.anywhere) starts.push(...flow.order);
    else if (ref.step) starts.push(ref.step);
  }
  const reached = reachableFrom(set, flow.id, starts, standIns);
  return flow.def.steps.flatMap((step, i) =>
    reached.has(step.id) || standIns.has(step.id)
      ? []
      : [
          source.problem(
            ["steps", i, "id"],
            `step "${step.id}" is unreachable: no step leads to it; remove it or add a next/goto`,
          ),
        ],
  );
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

function reachableFrom(
  set: FlowSet,
  flowId: string,
  starts: string[],
  standIns: ReadonlySet<string>,
): Set<string> {
  const order = set.flows.get(flowId)!.order;
  const reached = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    if (standIns.has(id)) stack.push(...order);
    else
      for (const next of successors(set, flowId, id))
        if (next.flowId === flowId) stack.push(next.stepId);
  }
  return reached;
}

// {{variables}}: the names src/engine/template.ts fills in. Anything else between {{ and }}
// is shown to the customer as typed.
const BRACES = /\{\{([^{}]*)\}\}/g;
const VARIABLE_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?$/;
const VARIABLE_SOURCES =
  "variables come from an ask step's save:, the keys of a set: step, user.name and desk.*";

/** Every variable some step saves, in any flow: asks' `save` and the keys of `set` steps. */
function savedVariables(set: FlowSet, salvaged: Set<string>): Set<string> {
  const saved = new Set(salvaged);
  for (const flow of set.flows.values()) {
    for (const step of flow.def.steps) {
      if ("ask" in step && step.save) saved.add(step.save);
      if ("set" in step) for (const name of Object.keys(step.set)) saved.add(name);
    }
  }
  return saved;
}

/** The texts of a step the template fills in, one per locale, with their YAML paths. */
function stepTemplates(path: YamlPath, step: FlowStep): [YamlPath, string][] {
  const texts = stepTexts(path, step).flatMap(([p, t]) =>
    Object.entries(t).map(([locale, text]): [YamlPath, string] => [[...p, locale], text]),
  );
  if ("escalate" in step) texts.push([[...path, "escalate", "reason"], step.escalate.reason]);
  if ("set" in step) {
    for (const [name, value] of Object.entries(step.set))
      texts.push([[...path, "set", name], value]);
  }
  return texts;
}

function checkVariables(
  set: FlowSet,
  sources: Map<string, YamlSource>,
  saved: Set<string>,
  options: CheckOptions,
): FlowProblem[] {
  const problems: FlowProblem[] = [];
  for (const flow of set.flows.values()) {
    const source = sources.get(flow.id)!;
    const text = options.texts?.get(source.file);
    const file = text === undefined ? undefined : { text, starts: lineStarts(text) };
    flow.def.steps.forEach((step, i) => {
      for (const [path, template] of stepTemplates(["steps", i], step)) {
        const locate = scalarCursor(file, source.position(path));
        for (const match of template.matchAll(BRACES)) {
          const message = variableProblem(match[1]!.trim(), saved);
          if (message) problems.push({ file: source.file, ...locate(match[0]), message });
        }
      }
    });
  }
  return problems;
}

function variableProblem(name: string, saved: Set<string>): string | undefined {
  if (!VARIABLE_NAME.test(name)) {
    return `{{${name}}} is not a variable and would be shown as typed: a name is lower case letters, digits and _, like {{order}} or {{user.name}}`;
  }
  if (name === "user.name" || name.startsWith("desk.") || saved.has(name)) return undefined;
  const near = closest(name, ["user.name", ...saved]);
  return `variable {{${name}}} is never saved by any step${near ? ` (did you mean {{${near}}}?)` : ""}: ${VARIABLE_SOURCES}`;
}

/** The candidate at most two edits from `name`, if one is. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= 2 && distance < name.length && (!best || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      next.push(Math.min(substitute, row[j]! + 1, next[j - 1]! + 1));
    }
    row = next;
  }
  return row[b.length]!;
}

type Position = { line: number; column: number };
interface FileText {
  text: string;
  /** Offset of each line's first character. */
  starts: number[];
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * Finds pieces of a scalar's value in the file, in order, within the scalar's own lines (its
 * first line and the more indented ones after it); a piece not found there (escaped, folded)
 * is placed at the scalar's start.
 */
function scalarCursor(file: FileText | undefined, start: Position): (piece: string) => Position {
  if (!file || start.line > file.starts.length) return () => start;
  const { text, starts } = file;
  const lineText = (line: number) => text.slice(starts[line], starts[line + 1]);
  const indent = (line: number) => /^ */.exec(lineText(line))![0].length;
  const blank = (line: number) => lineText(line).trim() === "";
  const first = start.line - 1;
  let last = first + 1;
  while (last < starts.length && (blank(last) || indent(last) > indent(first))) last++;
  const end = starts[last] ?? text.length;
  let cursor = starts[first]! + start.column - 1;
  return (piece) => {
    const at = text.indexOf(piece, cursor);
    if (at < 0 || at + piece.length > end) return start;
    cursor = at + piece.length;
    let line = first;
    while (line + 1 < starts.length && starts[line + 1]! <= at) line++;
    return { line: line + 1, column: at - starts[line]! + 1 };
  };
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
