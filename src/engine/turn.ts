// What one inbound event produced: the record the engine commits with the state, returns
// to the caller, and replays unchanged when the same event is delivered again.
import type { EscalationRequest, MediaRef, OutboundMessage } from "../core/types.ts";

export interface TurnResult {
  idempotencyKey: string;
  conversationKey: string;
  /** True when this event was handled before and the stored result is returned again. */
  replayed: boolean;
  locale: string;
  /** Flow and step that answered this turn (where it waits, ended or escalated); null if none ran. */
  flow: string | null;
  step: string | null;
  /** Confidence of the intent match that chose the flow, or null when no matching happened. */
  confidence: number | null;
  messages: OutboundMessage[];
  /** Set on the turn that handed the conversation to a person. */
  escalation?: EscalationRequest;
  /** Set on the turn that finished a flow. */
  ended?: "resolved" | "unresolved";
  /** Who has the conversation after this turn. */
  mode: "bot" | "agent";
  /** The customer's message is for the person handling the ticket. */
  forAgent?: { text: string; media?: MediaRef };
  /** Work recorded by middleware, run after the commit (and again, idempotently, on replay). */
  effects?: TurnEffect[];
  /** Middleware that answered this turn instead of the flows. */
  handledBy?: string[];
  /** Why the bot answered so; only when the engine runs with `debug` (the playground). */
  debug?: TurnDebug;
}

/** What a flow author needs to see about one turn, beside flow, step, confidence and locale. */
export interface TurnDebug {
  /** The intent matcher's best three for the customer's text, with scores (empty: no text). */
  intents: { intent: string; confidence: number }[];
  /** The conversation's variables after the turn. */
  vars: Record<string, string>;
}

/** A unit of after-commit work; `type` names who runs it ("desk.rating"). */
export interface TurnEffect {
  type: string;
  [field: string]: unknown;
}
