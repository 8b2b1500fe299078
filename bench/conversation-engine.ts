// Runs every labelled line through the real engine, each as a new customer on Redis, and
// judges where the conversation went. A typed answer is judged against what pressing its
// button does in another new conversation: same flow and step, same saved value, same end.

import { randomUUID } from "node:crypto";
import type { InboundEvent } from "../src/core/types.ts";
import type { Engine } from "../src/engine/engine.ts";
import type { ConversationStore } from "../src/engine/store.ts";
import type { TurnResult } from "../src/engine/turn.ts";
import { buttonPayload, type FlowSet } from "../src/flows/flowset.ts";
import { type Case, isOffTopic, type PathTurn, type TypedTarget } from "./conversation-cases.ts";

export interface Verdict {
  ok: boolean;
  got: string;
}

interface Outcome {
  result: TurnResult;
  /** Where the turn left the conversation, comparable between a typed answer and a press. */
  signature: string;
  withVar: boolean;
}

export class EngineJudge {
  private readonly run = randomUUID().slice(0, 8);
  private count = 0;
  private readonly pressed = new Map<string, Outcome>();

  constructor(
    private readonly engine: Engine,
    private readonly store: ConversationStore,
    private readonly set: FlowSet,
    private readonly topical: Set<string>,
  ) {}

  private customer(locale: string) {
    const id = `${this.run}-${++this.count}`;
    let n = 0;
    const base = () => ({
      idempotencyKey: `bench:${id}:${++n}`,
      conversationKey: `bench:${id}`,
      address: { channel: "bench", chatId: id },
      user: { id, locale },
      at: Date.now(),
    });
    const turn = (t: PathTurn, flowId: string, stepId: string): InboundEvent =>
      "command" in t
        ? { ...base(), type: "command", command: t.command, args: "" }
        : "press" in t
          ? { ...base(), type: "button", payload: buttonPayload(flowId, stepId, t.press) }
          : { ...base(), type: "message", text: t.text };
    return { key: `bench:${id}`, turn };
  }

  async judge(c: Case): Promise<Verdict> {
    if (c.typed) return this.judgeTyped(c, c.typed);
    const who = this.customer(c.locale);
    const r = await this.engine.handle(who.turn({ text: c.text }, "", ""));
    const flow = r.flow ?? "(none)";
    const where = r.escalation ? `${flow} (handed to a person)` : flow;
    if (isOffTopic(c.kind)) return { ok: !this.topical.has(flow), got: where };
    return { ok: flow === c.expected, got: where };
  }

  /** Walks the path to the question; the last result and the customer, or why it broke. */
  private async reach(t: TypedTarget, locale: string) {
    const who = this.customer(locale);
    let last: TurnResult | undefined;
    for (const turn of t.path) {
      const at = last?.flow && last.step ? [last.flow, last.step] : ["", ""];
      last = await this.engine.handle(who.turn(turn, at[0]!, at[1]!));
    }
    const broken =
      last?.flow !== t.flowId || last.step !== t.stepId
        ? `path broken: reached ${last?.flow}/${last?.step}`
        : undefined;
    return { who, broken };
  }

  /**
   * The saved value counts only while the button keeps the conversation in the question's flow
   * (its later steps read it); a typed answer that reaches the button's flow by intent is right.
   */
  private async outcome(key: string, r: TurnResult, t: TypedTarget, withVar: boolean) {
    const step = this.set.flows.get(t.flowId)?.steps.get(t.stepId);
    const save = withVar && step && "save" in step ? step.save : undefined;
    const state = save ? await this.store.load(key) : null;
    const parts = [`${r.flow}/${r.step}`];
    if (save) parts.push(`${save}=${state?.vars[save] ?? "(unset)"}`);
    if (r.ended) parts.push(`ended ${r.ended}`);
    if (r.escalation) parts.push("handed to a person");
    return { result: r, signature: parts.join(", "), withVar };
  }

  /** What pressing the button does, measured once per locale and button. */
  private async press(t: TypedTarget, locale: string): Promise<Outcome | string> {
    const id = `${locale}:${t.question}:${t.index}`;
    const known = this.pressed.get(id);
    if (known) return known;
    const { who, broken } = await this.reach(t, locale);
    if (broken) return broken;
    const r = await this.engine.handle(who.turn({ press: t.index }, t.flowId, t.stepId));
    const o = await this.outcome(who.key, r, t, r.flow === t.flowId);
    this.pressed.set(id, o);
    return o;
  }

  private async judgeTyped(c: Case, t: TypedTarget): Promise<Verdict> {
    const want = await this.press(t, c.locale);
    if (typeof want === "string") return { ok: false, got: want };
    const { who, broken } = await this.reach(t, c.locale);
    if (broken) return { ok: false, got: broken };
    const r = await this.engine.handle(who.turn({ text: c.text }, t.flowId, t.stepId));
    const got = await this.outcome(who.key, r, t, want.withVar);
    if (got.signature === want.signature) return { ok: true, got: got.signature };
    // A menu's topic button opens its flow; typed text that opens it may also answer the
    // flow's first question (the engine then asks the next one): still the button's meaning.
    const step = this.set.flows.get(t.flowId)?.steps.get(t.stepId);
    const goto = step && "ask" in step ? step.buttons?.[t.index]?.goto : undefined;
    const opens = typeof goto === "object" && goto.step === undefined ? goto.flow : undefined;
    if (opens && r.flow === opens && want.result.flow === opens)
      return { ok: true, got: `${got.signature} (its first question answered too)` };
    const askedAgain = r.flow === t.flowId && r.step === t.stepId && !r.ended && !r.escalation;
    return {
      ok: false,
      got: `${askedAgain ? "asked again" : got.signature} (the button: ${want.signature})`,
    };
  }
}
