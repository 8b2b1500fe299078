// The validated, indexed form of all flows that the interpreter runs.
import type { BotConfigDef, FlowDef, FlowStep, LocalizedText, StepRefSpec } from "./schema.ts";

export interface CompiledFlow {
  id: string;
  file: string;
  title: LocalizedText;
  def: FlowDef;
  steps: Map<string, FlowStep>;
  /** Step ids in file order; falling off a step continues with the next one. */
  order: string[];
}

export interface FlowSet {
  bot: BotConfigDef;
  flows: Map<string, CompiledFlow>;
  /** Command (without slash) → flow id, from `triggers.commands`. */
  commands: Map<string, string>;
  /** Button payload trigger → flow id, from `triggers.payloads`. */
  payloads: Map<string, string>;
  /** Hash of every flow file's content: stored with conversation state to notice flow edits. */
  hash: string;
}

export interface ResolvedRef {
  flowId: string;
  stepId: string;
}

/** Resolves a step reference written in `fromFlow`; undefined when it names nothing. */
export function resolveRef(
  set: Pick<FlowSet, "flows">,
  fromFlow: string,
  ref: StepRefSpec,
): ResolvedRef | undefined {
  const flowId = typeof ref === "string" ? fromFlow : ref.flow;
  const flow = set.flows.get(flowId);
  if (!flow) return undefined;
  const stepId = typeof ref === "string" ? ref : (ref.step ?? flow.order[0]);
  if (stepId === undefined || !flow.steps.has(stepId)) return undefined;
  return { flowId, stepId };
}

/** The step that follows `stepId` in file order, if any. */
export function nextInOrder(flow: CompiledFlow, stepId: string): string | undefined {
  const i = flow.order.indexOf(stepId);
  return i >= 0 ? flow.order[i + 1] : undefined;
}

/** Callback payload of a button: short enough for Telegram's 64-byte callback_data. */
export function buttonPayload(flowId: string, stepId: string, index: number): string {
  return `${flowId}:${stepId}:${index}`;
}
