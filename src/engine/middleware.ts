// Turn middleware: the one extension shape for what runs around the bot's own decision, in the
// manner of grammY's composer. Each middleware sees the event and the conversation's state,
// may answer itself (push replies, change state, record effects) or call `next()` to let the
// rest of the chain (and finally the flows) decide. Whatever it changes commits together with
// the turn, in one script, so a crash either keeps all of it or none.
//
// Middleware runs inside the engine's compare-and-set loop and may run again for the same
// event: it must only read, never write elsewhere. Work with side effects goes into
// `ctx.effects` and runs after the commit, idempotently, by the one who registered the type.
import type { InboundEvent, OutboundMessage } from "../core/types.ts";
import type { ConversationState } from "./state.ts";
import type { TurnEffect } from "./turn.ts";

export interface TurnContext {
  readonly event: InboundEvent;
  /** The conversation's state; changes commit with the turn. */
  readonly state: ConversationState;
  /** Messages this turn sends, in order. */
  readonly replies: OutboundMessage[];
  /** Work to run after the commit (replayed, idempotently, when the event comes again). */
  readonly effects: TurnEffect[];
  /** Names of the middleware that acted (shown by the debugger). */
  readonly handledBy: string[];
}

export type TurnMiddleware = (ctx: TurnContext, next: () => Promise<void>) => Promise<void>;

/** Runs `middleware` in order, then `last`; a middleware that calls next() twice is a bug. */
export function compose(
  middleware: readonly TurnMiddleware[],
  last: (ctx: TurnContext) => Promise<void> | void,
): (ctx: TurnContext) => Promise<void> {
  return (ctx) => {
    const run = async (i: number): Promise<void> => {
      if (i === middleware.length) return last(ctx);
      let called = false;
      await middleware[i]!(ctx, async () => {
        if (called) throw new Error(`middleware #${i} called next() twice`);
        called = true;
        await run(i + 1);
      });
    };
    return run(0);
  };
}
