// Runs flow steps from one position until the bot must wait for the customer, hands over,
// or finishes. Pure: it reads the flow set and mutates only the state it is given.
import { FrontlineError } from "../core/errors.ts";
import type { OutboundMessage } from "../core/types.ts";
import { describeHours } from "../desk/hours-text.ts";
import {
  buttonPayload,
  type FlowSet,
  nextInOrder,
  type ResolvedRef,
  resolveRef,
} from "../flows/flowset.ts";
import { testPattern } from "../flows/pattern.ts";
import type { FlowStep, LocalizedText } from "../flows/schema.ts";
import { systemMessage } from "../flows/system-messages.ts";
import type { ConversationState } from "./state.ts";
import { renderTemplate } from "./template.ts";

/** Steps the interpreter may run without a customer turn before it calls it a loop. */
export const STEP_BUDGET = 200;

export type StepOutcome =
  | { type: "waiting"; flowId: string; stepId: string }
  | { type: "completed"; status: "resolved" | "unresolved" }
  | {
      type: "escalated";
      flowId: string;
      stepId: string;
      skill: string;
      priority: "low" | "normal" | "high" | "urgent";
      reason: string;
    };

export interface RunContext {
  set: FlowSet;
  state: ConversationState;
  user: { name?: string };
  out: OutboundMessage[];
  /** The last step run: the flow and step that answered this turn. */
  last?: ResolvedRef;
  /** false: no desk runs, so no step may promise a person (see the escalate step). */
  handover: boolean;
}

export function localize(set: FlowSet, text: LocalizedText, locale: string): string {
  return text[locale] ?? text[set.bot.defaultLocale] ?? Object.values(text)[0] ?? "";
}

export function askMessage(
  ctx: RunContext,
  flowId: string,
  step: Extract<FlowStep, { ask: unknown }>,
): OutboundMessage {
  const { set, state } = ctx;
  const message: OutboundMessage = {
    text: say(ctx, (!ctx.handover && step.askWithoutDesk) || step.ask),
  };
  // Without a desk a button that offers a person would lead to "nobody can be reached": it is
  // not offered. The others keep their index (their payloads and typed numbers stay valid).
  const shown = (step.buttons ?? [])
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => ctx.handover || !offersPerson(set, b.goto));
  if (shown.length > 0) {
    message.buttons = shown.map(({ b, i }) => ({
      label: localize(set, b.label, state.locale),
      payload: buttonPayload(flowId, step.id, i),
    }));
  }
  return message;
}

/** A button that goes straight to the bot's flow for reaching a person. */
function offersPerson(set: FlowSet, goto: unknown): boolean {
  return (
    typeof goto === "object" &&
    goto !== null &&
    (goto as { flow?: string }).flow === set.bot.humanFlow
  );
}

function say(ctx: RunContext, text: LocalizedText): string {
  return renderTemplate(
    localize(ctx.set, text, ctx.state.locale),
    ctx.state.vars,
    ctx.user,
    deskVars(ctx),
  );
}

const deskBags = new WeakMap<FlowSet, Map<string, Record<string, string>>>();

/** `{{desk.*}}` in the customer's language, worked out once per flow set and locale. */
function deskVars(ctx: RunContext): Record<string, string> {
  const { set, state } = ctx;
  let byLocale = deskBags.get(set);
  if (!byLocale) {
    byLocale = new Map();
    deskBags.set(set, byLocale);
  }
  let bag = byLocale.get(state.locale);
  if (!bag) {
    bag = { hours: describeHours(set.bot.desk, state.locale) };
    byLocale.set(state.locale, bag);
  }
  return bag;
}

/** Runs from `at` and returns why it stopped; messages go to `ctx.out`. */
export function runFrom(ctx: RunContext, at: ResolvedRef): StepOutcome {
  const { set, state } = ctx;
  let position: ResolvedRef | undefined = at;
  for (let budget = STEP_BUDGET; budget > 0; budget--) {
    if (!position) return finish(state, "resolved");
    const flow = set.flows.get(position.flowId)!;
    const step = flow.steps.get(position.stepId)!;
    ctx.last = position;
    if (state.tried.at(-1) !== flow.id) state.tried.push(flow.id);
    const follow = (ref: Parameters<typeof resolveRef>[2] | undefined): ResolvedRef | undefined =>
      ref !== undefined ? resolveRef(set, flow.id, ref) : fallThrough(flow.id, step.id);
    const fallThrough = (flowId: string, stepId: string): ResolvedRef | undefined => {
      const n = nextInOrder(set.flows.get(flowId)!, stepId);
      return n ? { flowId, stepId: n } : undefined;
    };

    if ("ask" in step) {
      ctx.out.push(askMessage(ctx, flow.id, step));
      state.flowId = flow.id;
      state.stepId = step.id;
      state.retries = 0;
      return { type: "waiting", flowId: flow.id, stepId: step.id };
    }
    if ("escalate" in step) {
      if (!ctx.handover) {
        // Nobody can take it here: say so honestly, and say where people can be reached,
        // instead of the step's own words, which promise a person.
        ctx.out.push({ text: noPersonHere(ctx) });
        return finish(state, "unresolved");
      }
      if (step.say) ctx.out.push({ text: say(ctx, step.say) });
      state.flowId = null;
      state.stepId = null;
      return {
        type: "escalated",
        flowId: flow.id,
        stepId: step.id,
        skill: step.escalate.skill,
        priority: step.escalate.priority ?? "normal",
        reason: renderTemplate(step.escalate.reason, state.vars, ctx.user, deskVars(ctx)),
      };
    }
    if ("end" in step) {
      if (step.say) ctx.out.push({ text: say(ctx, step.say) });
      return finish(state, step.end);
    }
    if ("set" in step) {
      for (const [name, value] of Object.entries(step.set)) {
        state.vars[name] = renderTemplate(value, state.vars, ctx.user, deskVars(ctx));
      }
      position = follow(step.next);
    } else if ("if" in step) {
      // `desk.available` ("yes" / "no") lets a flow say honestly what it can do without a desk.
      const vars = { ...state.vars, "desk.available": ctx.handover ? "yes" : "no" };
      position = conditionHolds(step.if, vars) ? follow(step.then) : follow(step.else);
    } else if ("goto" in step) {
      position = follow(step.goto);
    } else if ("say" in step) {
      ctx.out.push({ text: say(ctx, step.say) });
      position = follow(step.next);
    }
  }
  throw new FrontlineError(
    "FL_ERR_FLOW_LOOP",
    `flow "${at.flowId}" ran ${STEP_BUDGET} steps from "${at.stepId}" without waiting for the customer; ` +
      "check its goto/next steps (frontline validate reports such loops)",
  );
}

/** What the customer hears instead of a hand-over when no desk runs. */
export function noPersonHere(ctx: RunContext): string {
  const { set, state } = ctx;
  const contact = set.bot.humanContact ? localize(set, set.bot.humanContact, state.locale) : "";
  return renderTemplate(
    systemMessage(set.bot, "noPersonHere", state.locale),
    { contact },
    ctx.user,
  ).replace(/\s+$/, "");
}

function finish(state: ConversationState, status: "resolved" | "unresolved"): StepOutcome {
  state.flowId = null;
  state.stepId = null;
  state.retries = 0;
  return { type: "completed", status };
}

export function conditionHolds(
  cond: { var: string; equals?: string; in?: string[]; matches?: string; exists?: boolean },
  vars: Record<string, string>,
): boolean {
  const value = vars[cond.var];
  if (cond.exists !== undefined) return (value !== undefined && value !== "") === cond.exists;
  if (value === undefined) return false;
  if (cond.equals !== undefined) return value.toLowerCase() === cond.equals.toLowerCase();
  if (cond.in !== undefined) return cond.in.some((v) => v.toLowerCase() === value.toLowerCase());
  if (cond.matches !== undefined) return testPattern(cond.matches, value);
  return false;
}

export type AnswerCheck = { ok: true; value: string } | { ok: false };

/** Validates free text against an ask's `input` rules, after its transform. */
export function checkAnswer(step: Extract<FlowStep, { ask: unknown }>, raw: string): AnswerCheck {
  const input = step.input;
  if (!input) return { ok: false };
  let value = raw.trim();
  if (input.transform === "upper") value = value.toUpperCase();
  if (input.transform === "lower") value = value.toLowerCase();
  if (value.length === 0) return { ok: false };
  if (value.length < (input.minLength ?? 1) || value.length > (input.maxLength ?? 1000))
    return { ok: false };
  if (input.pattern !== undefined && !testPattern(input.pattern, value)) return { ok: false };
  if (input.choices && !input.choices.some((c) => c.toLowerCase() === value.toLowerCase()))
    return { ok: false };
  return { ok: true, value };
}
