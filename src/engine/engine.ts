// The conversation engine: read state, decide the turn, commit state and result together.
// Safe with any number of instances on one Redis (compare-and-set, retried on conflict) and
// idempotent per event (a redelivered event gets the stored result back, not a second answer).
import type { Logger } from "pino";
import { FrontlineError } from "../core/errors.ts";
import type { InboundEvent } from "../core/types.ts";
import type { FlowSet } from "../flows/flowset.ts";
import type { PreparedPush } from "../queue/ordered-queue.ts";
import { decideTurn, prepareState } from "./conversation.ts";
import { compose, type TurnContext, type TurnMiddleware } from "./middleware.ts";
import { IntentRouter } from "./router.ts";
import type { ConversationState } from "./state.ts";
import type { CommitOutcome, ConversationStore } from "./store.ts";
import type { TurnDebug, TurnResult } from "./turn.ts";

/**
 * Records a turn's replies in the same script as its commit (the intake passes the outbox's):
 * a committed turn's replies are recorded, and a turn that lost its compare-and-set recorded
 * none. A replayed turn (its result already stored) is not given to it: its caller records the
 * stored replies again, by their stable ids.
 */
export interface RepliesWithCommit {
  prepare(result: TurnResult): PreparedPush[];
  /** `codes`: the commit ran them (one code each); null: it did not (conflict, duplicate, error). */
  settle(prepared: PreparedPush[], codes: number[] | null): Promise<void>;
}

export interface EngineOptions {
  flows: FlowSet;
  store: ConversationStore;
  logger?: Logger;
  /** Prebuilt router (training takes a moment; share one between engines in tests). */
  router?: IntentRouter;
  now?: () => number;
  /** Attempts when another instance commits the same conversation at the same time. */
  maxConflictRetries?: number;
  /** Runs before the flows, in order (the desk's, then the embedding application's). */
  middleware?: TurnMiddleware[];
  /**
   * Whether a checked desk runs, so a flow may hand the customer to a person (default false:
   * escalations then tell the customer honestly that nobody can be reached here).
   */
  handover?: boolean;
  /** Adds `debug` (top intents, variables) to every turn's result: for the playground's
   * debugger, off by default because it makes every stored result larger. */
  debug?: boolean;
}

export class Engine {
  readonly flows: FlowSet;
  readonly router: IntentRouter;
  private readonly store: ConversationStore;
  private readonly logger: Logger | undefined;
  private readonly now: () => number;
  private readonly maxConflictRetries: number;
  private readonly handover: boolean;
  private readonly debug: boolean;
  private readonly run: (ctx: TurnContext) => Promise<void>;
  /** The flows' own result of the turn being decided (set by the chain's last link). */
  private readonly flowResults = new WeakMap<TurnContext, Omit<TurnResult, "replayed">>();

  constructor(options: EngineOptions) {
    this.flows = options.flows;
    this.store = options.store;
    this.logger = options.logger;
    this.router = options.router ?? new IntentRouter(options.flows);
    this.now = options.now ?? Date.now;
    this.maxConflictRetries = options.maxConflictRetries ?? 20;
    this.handover = options.handover ?? false;
    this.debug = options.debug ?? false;
    this.run = compose(options.middleware ?? [], (ctx) => {
      const result = decideTurn(this.deps(), ctx.event, ctx.state);
      ctx.replies.push(...result.messages);
      this.flowResults.set(ctx, result);
    });
  }

  private deps() {
    return { set: this.flows, router: this.router, now: this.now(), handover: this.handover };
  }

  /** Runs the middleware chain and the flows on a prepared state. */
  private async decide(event: InboundEvent, stored: ConversationState | null) {
    const state = prepareState(this.deps(), event, stored);
    const ctx: TurnContext = { event, state, replies: [], effects: [], handledBy: [] };
    await this.run(ctx);
    const flow = this.flowResults.get(ctx);
    const result: TurnResult = {
      ...flow,
      idempotencyKey: event.idempotencyKey,
      conversationKey: event.conversationKey,
      locale: state.locale,
      flow: flow ? flow.flow : state.flowId,
      step: flow ? flow.step : state.stepId,
      confidence: flow?.confidence ?? null,
      mode: state.mode,
      messages: ctx.replies,
      ...(ctx.effects.length ? { effects: ctx.effects } : {}),
      ...(ctx.handledBy.length ? { handledBy: ctx.handledBy } : {}),
      ...(this.debug ? { debug: this.debugOf(event, state) } : {}),
      replayed: false,
    };
    return { state, result };
  }

  private debugOf(event: InboundEvent, state: ConversationState): TurnDebug {
    const text = event.type === "message" || event.type === "edit" ? event.text.trim() : "";
    return { intents: text ? this.router.ranked(text, 3) : [], vars: { ...state.vars } };
  }

  /** What to read, with the record's claim, for `handle`'s `snapshot` (the intake does). */
  snapshotRead(conversationKey: string): { key: string; fields: string[] } {
    return this.store.snapshotRead(conversationKey);
  }

  /**
   * Runs one event's turn and commits it, once: a replay returns the stored result. `fresh`:
   * the caller knows the event was never handled before (the intake's first run of it), so the
   * stored result is not read first; the commit still checks it, so a wrong hint costs a
   * wasted turn, never a second answer. `snapshot` (with `fresh`): the state as read a moment
   * ago (`snapshotRead`), so the first attempt reads nothing; the commit's compare-and-set
   * catches a state that changed since, and the next attempt reads it afresh. `replies`: the
   * turn's replies are recorded with its commit (then a result with `replayed: false` means they
   * are recorded).
   */
  async handle(
    event: InboundEvent,
    hint: { fresh?: boolean; snapshot?: (string | null)[]; replies?: RepliesWithCommit } = {},
  ): Promise<TurnResult> {
    assertEvent(event);
    const key = event.conversationKey;
    for (let attempt = 0; attempt <= this.maxConflictRetries; attempt++) {
      const first = hint.fresh === true && attempt === 0;
      const { done, state, version } = await this.store.read(key, event.idempotencyKey, {
        stateOnly: first,
        ...(first && hint.snapshot ? { snapshot: hint.snapshot } : {}),
      });
      if (done === "compact") return compactReplay(event, state);
      if (done) return { ...done, replayed: true };
      const turn = await this.decide(event, state);
      const result = turn.result;
      const pushes = hint.replies?.prepare(result) ?? [];
      let outcome: CommitOutcome;
      try {
        outcome = await this.store.commit(key, version, turn.state, result, pushes);
      } catch (err) {
        await hint.replies?.settle(pushes, null);
        throw err;
      }
      await hint.replies?.settle(pushes, outcome.type === "committed" ? outcome.pushCodes : null);
      if (outcome.type === "committed") {
        this.logger?.debug(
          {
            conversation: key,
            flow: result.flow,
            step: result.step,
            confidence: result.confidence,
            escalated: Boolean(result.escalation),
          },
          "turn committed",
        );
        return result;
      }
      if (outcome.type === "duplicate")
        return outcome.result === "compact"
          ? compactReplay(event, state)
          : { ...outcome.result, replayed: true };
      // Someone else committed this conversation since we read it: decide again on fresh state.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
    throw new FrontlineError(
      "FL_ERR_STATE_CONFLICT",
      `conversation ${key} kept changing during ${this.maxConflictRetries} attempts; the event was not applied and can be retried`,
    );
  }
}

/** An event handled long ago (its full result expired): everything it caused was sent then. */
function compactReplay(event: InboundEvent, state: ConversationState | null): TurnResult {
  return {
    idempotencyKey: event.idempotencyKey,
    conversationKey: event.conversationKey,
    replayed: true,
    locale: state?.locale ?? "",
    flow: null,
    step: null,
    confidence: null,
    messages: [],
    mode: state?.mode ?? "bot",
  };
}

function assertEvent(event: InboundEvent): void {
  const problems: string[] = [];
  if (typeof event?.idempotencyKey !== "string" || event.idempotencyKey.length === 0)
    problems.push("idempotencyKey is empty");
  if (typeof event?.conversationKey !== "string" || event.conversationKey.length === 0)
    problems.push("conversationKey is empty");
  if (!event?.address || !event.user) problems.push("address and user are required");
  if ((event?.type === "message" || event?.type === "edit") && typeof event.text !== "string")
    problems.push("text must be a string");
  if (event?.type === "button" && typeof event.payload !== "string")
    problems.push("payload must be a string");
  if (event?.type === "command" && typeof event.command !== "string")
    problems.push("command must be a string");
  if (problems.length > 0) {
    throw new FrontlineError(
      "FL_ERR_INPUT",
      `malformed inbound event: ${problems.join("; ")} (an adapter bug: the event was not applied)`,
    );
  }
}
