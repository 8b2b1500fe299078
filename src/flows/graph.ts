// Where each step can lead: the edges used for reachability and loop checks,
// and by nothing at run time (the interpreter follows the same rules step by step).
import { type FlowSet, nextInOrder, type ResolvedRef, resolveRef } from "./flowset.ts";
import { type FlowStep, type StepRefSpec, stepKind } from "./schema.ts";

export interface Edge {
  ref: StepRefSpec;
  /** YAML path (relative to the step) of the field that holds the reference. */
  field: (string | number)[];
}

/** Every explicit reference a step makes. */
export function explicitEdges(step: FlowStep): Edge[] {
  const edges: Edge[] = [];
  const add = (ref: StepRefSpec | undefined, ...field: (string | number)[]) => {
    if (ref !== undefined) edges.push({ ref, field });
  };
  if ("next" in step) add(step.next, "next");
  if ("goto" in step) add(step.goto, "goto");
  if ("if" in step) {
    add(step.then, "then");
    add(step.else, "else");
  }
  if ("ask" in step) {
    add(step.onFail, "onFail");
    step.buttons?.forEach((b, i) => {
      add(b.goto, "buttons", i, "goto");
    });
  }
  return edges;
}

/** Whether control can fall through to the next step in file order. */
export function fallsThrough(step: FlowStep): boolean {
  switch (stepKind(step)) {
    case "say":
    case "set":
      return !("next" in step && step.next !== undefined);
    case "ask":
      return (
        !("next" in step && step.next !== undefined) &&
        ("input" in step && step.input !== undefined
          ? true
          : ((step as { buttons?: { goto?: unknown }[] }).buttons ?? []).some((b) => !b.goto))
      );
    case "if":
      return !("else" in step && step.else !== undefined);
    default:
      return false;
  }
}

/** Every step a step can lead to, in this flow or another; unresolvable refs are left out. */
export function successors(
  set: Pick<FlowSet, "flows">,
  flowId: string,
  stepId: string,
): ResolvedRef[] {
  const flow = set.flows.get(flowId);
  const step = flow?.steps.get(stepId);
  if (!flow || !step) return [];
  const out = explicitEdges(step)
    .map((e) => resolveRef(set, flowId, e.ref))
    .filter((r): r is ResolvedRef => r !== undefined);
  if (fallsThrough(step)) {
    const n = nextInOrder(flow, stepId);
    if (n) out.push({ flowId, stepId: n });
  }
  return out;
}
