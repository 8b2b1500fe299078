// `frontline/telegraf`: Frontline mounted into an existing Telegraf bot. The host's own
// handlers keep the updates they handle; everything that reaches this middleware and is
// Frontline's (private chats, button presses, the agent chat) is recorded durably before the
// handler resolves, in order per chat, and answered through the host's `bot.telegram`.
//
// Telegraf acknowledges a polled batch (or answers a webhook) once its handlers settle, also
// when they fail — a host's bot.catch may just log. So the mount guarantees three things:
// - the host's handlerTimeout must outlast the record budget (checked here, at mount time);
// - each chat's updates go through the bot one after another (Telegraf runs a batch with
//   Promise.all), so they are recorded in order;
// - FL_ERR_NOT_RECORDED is never swallowed: the polling offset is not synced (the batch comes
//   again after a restart), a webhook answers 503 (Telegram retries), and the error is
//   rethrown past any bot.catch handler, stopping polling so the process can restart.
import type { Context, MiddlewareFn, MiddlewareObj, Telegraf } from "telegraf";
import type { Update } from "telegraf/types";
import { FrontlineError } from "../../src/index.ts";
import { orderKeyOf } from "../telegram/adapter.ts";
import {
  DEFAULT_RECORD_BUDGET_MS,
  HANDLER_TIMEOUT_MARGIN_MS,
  isNotRecorded,
  type MountOptions,
  TelegramMount,
} from "../telegram/mount.ts";
import { apiOverTelegraf } from "./transport.ts";

export type { MountOptions } from "../telegram/mount.ts";
export { isNotRecorded } from "../telegram/mount.ts";

// Telegraf keeps these private; the mount reads and adjusts them deliberately (tested against
// the supported range in test/mount).
interface TelegrafInternals {
  options: { handlerTimeout: number };
  polling?: { skipOffsetSync: boolean };
  handleError: (err: unknown, ctx: Context) => unknown;
  handleUpdate: (update: Update, response?: unknown) => Promise<void>;
}

export class TelegrafMount extends TelegramMount implements MiddlewareObj<Context> {
  private readonly handlerTimeout: number;

  constructor(
    private readonly bot: Telegraf<Context>,
    options: MountOptions = {},
  ) {
    const budget = options.recordBudgetMs ?? DEFAULT_RECORD_BUDGET_MS;
    const handlerTimeout = internals(bot).options.handlerTimeout;
    if (handlerTimeout < budget + HANDLER_TIMEOUT_MARGIN_MS)
      throw new FrontlineError(
        "FL_ERR_CONFIG",
        `Telegraf's handlerTimeout (${handlerTimeout} ms) is shorter than Frontline's record budget (${budget} ms) plus ${HANDLER_TIMEOUT_MARGIN_MS} ms: an update still being recorded would be acknowledged and could be lost; create the bot with { handlerTimeout: ${budget + HANDLER_TIMEOUT_MARGIN_MS} } or more (or Infinity), or pass a smaller recordBudgetMs`,
      );
    super(apiOverTelegraf(bot.telegram), options);
    this.handlerTimeout = handlerTimeout;
    this.serializePerChat();
    neverSwallowNotRecorded(bot, (err, update) =>
      this.options.logger?.error(
        { err: String(err), updateId: update?.update_id },
        "an update could not be recorded; Telegraf stops without acknowledging it",
      ),
    );
  }

  middleware(): MiddlewareFn<Context> {
    return async (ctx, next) => {
      // Telegraf's handler timeout started when the update entered the bot, not here.
      const entered = this.entered.get(ctx.update) ?? Date.now();
      let taken: boolean;
      try {
        taken = await this.take(
          ctx.update as never,
          entered + this.handlerTimeout - HANDLER_TIMEOUT_MARGIN_MS,
        );
      } catch (err) {
        if (isNotRecorded(err)) refuseAcknowledgement(this.bot, ctx);
        throw err;
      }
      if (!taken) return next();
    };
  }

  /** When each update being handled entered the bot. */
  private readonly entered = new WeakMap<object, number>();

  /**
   * Each chat's updates run through the bot one after another, other chats in parallel. When
   * one fails (a host handler's error, with Telegraf's default error handler), Telegraf stops
   * polling and would confirm the whole batch at once: if other updates of it are still on
   * their way, the offset is not synced, so they all come again after a restart.
   */
  private serializePerChat(): void {
    const inner = internals(this.bot);
    const handle = inner.handleUpdate.bind(this.bot);
    const tails = new Map<string, Promise<void>>();
    let active = 0;
    inner.handleUpdate = (update, response) => {
      active += 1;
      const key = orderKeyOf(update as never);
      const run = (tails.get(key) ?? Promise.resolve()).then(() => {
        this.entered.set(update, Date.now());
        return handle(update, response);
      });
      const tail = run.catch(() => {});
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run
        .finally(() => {
          active -= 1;
        })
        .catch((err) => {
          if (active > 0 || this.recording > 0) refuseAcknowledgement(this.bot);
          throw err;
        });
    };
  }
}

/** Frontline's adapter and middleware over a Telegraf bot: pass it to createFrontline's
 * `adapters` and to `bot.use`. */
export function frontline(bot: Telegraf<Context>, options: MountOptions = {}): TelegrafMount {
  return new TelegrafMount(bot, options);
}

function internals(bot: Telegraf<Context>): TelegrafInternals {
  return bot as unknown as TelegrafInternals;
}

/** FL_ERR_NOT_RECORDED skips the host's error handler (now or set later) and is rethrown. */
function neverSwallowNotRecorded(
  bot: Telegraf<Context>,
  log: (err: unknown, update: Update | undefined) => void,
): void {
  const inner = internals(bot);
  const guard =
    (handler: TelegrafInternals["handleError"]) => async (err: unknown, ctx: Context) => {
      if (!isNotRecorded(err)) return handler(err, ctx);
      log(err, ctx?.update as never);
      throw err;
    };
  inner.handleError = guard(inner.handleError);
  const setCatch = bot.catch.bind(bot);
  bot.catch = (handler) => setCatch(guard(handler as TelegrafInternals["handleError"]) as never);
}

/** Polling: the batch's offset is not synced when polling stops. Webhook: answer 503. */
function refuseAcknowledgement(bot: Telegraf<Context>, ctx?: Context): void {
  const polling = internals(bot).polling;
  if (polling) polling.skipOffsetSync = true;
  const response = (ctx?.telegram as unknown as { response?: { statusCode: number } })?.response;
  if (response) response.statusCode = 503;
}
