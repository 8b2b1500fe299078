// `frontline/grammy`: Frontline mounted into an existing grammY bot, as middleware for a Bot
// or anywhere in a Composer tree. What reaches it and is Frontline's (private chats, button
// presses, the agent chat) is recorded durably before the middleware resolves and answered
// through the host's `bot.api`; the rest goes on to the host's next middleware.
//
// Acknowledgement: grammY's `bot.start()` confirms an update when its handling settles, and
// its default error handler even confirms the failed one while stopping; @grammyjs/runner's
// `run` confirms updates as soon as they are fetched. So the mount makes FL_ERR_NOT_RECORDED
// skip any bot.catch handler and rethrows it (bot.start() then stops without confirming), and
// for concurrency this module's `run` replaces the runner's: it confirms only handled
// updates and keeps each chat in order.
import type { Bot, Context, MiddlewareFn, MiddlewareObj } from "grammy";
import type { Update } from "grammy/types";
import { isNotRecorded, type MountOptions, TelegramMount } from "../telegram/mount.ts";

export type { MountOptions } from "../telegram/mount.ts";
export { isNotRecorded } from "../telegram/mount.ts";
export { type DurableRunOptions, run } from "./durable-runner.ts";

export class GrammyMount extends TelegramMount implements MiddlewareObj<Context> {
  constructor(bot: Bot<Context>, options: MountOptions = {}) {
    super(bot.api, options);
    // grammY's stop() confirms the update being handled without waiting for it: let the
    // updates being recorded finish first (a refused one has already stopped polling, and then
    // stop() confirms nothing).
    const stop = bot.stop.bind(bot);
    bot.stop = async () => {
      await this.drained();
      return stop();
    };
    neverSwallowNotRecorded(bot, (err, update) =>
      this.options.logger?.error(
        { err: String(err), updateId: update?.update_id },
        "an update could not be recorded; polling stops without confirming it",
      ),
    );
  }

  middleware(): MiddlewareFn<Context> {
    return async (ctx, next) => {
      if (!(await this.take(ctx.update))) await next();
    };
  }
}

/** Frontline's adapter and middleware over a grammY bot: pass it to createFrontline's
 * `adapters` and to `bot.use` (or a Composer's `use`). */
export function frontline(bot: Bot<Context>, options: MountOptions = {}): GrammyMount {
  return new GrammyMount(bot, options);
}

/** FL_ERR_NOT_RECORDED skips the host's error handler (now or set later) and is rethrown. */
function neverSwallowNotRecorded(
  bot: Bot<Context>,
  log: (err: unknown, update: Update | undefined) => void,
): void {
  type Handler = Bot<Context>["errorHandler"];
  const guard =
    (handler: Handler): Handler =>
    async (err) => {
      if (!isNotRecorded(err)) return handler(err);
      log(err.error, err.ctx?.update);
      throw err;
    };
  bot.errorHandler = guard(bot.errorHandler);
  const setCatch = bot.catch.bind(bot);
  bot.catch = (handler) => setCatch(guard(handler));
}
