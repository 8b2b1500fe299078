// What the Telegraf and grammY mounts share: a Telegram adapter whose updates come from a host
// bot's middleware instead of its own poller. The host acknowledges an update to Telegram when
// its handler resolves, so `take` resolves only once the update is durable, keeps each chat's
// order although hosts run updates concurrently, and throws FL_ERR_NOT_RECORDED instead of
// resolving when it could not record (the mounts make sure the host does not swallow that).
import type { Api } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";
import { FrontlineError, isFrontlineError } from "../../src/index.ts";
import { orderKeyOf, TelegramAdapter } from "./adapter.ts";

export interface MountOptions {
  /** The forum supergroup where agents work (as TELEGRAM_AGENT_CHAT_ID for `frontline start`). */
  agentChatId?: string;
  logger?: Logger;
  /**
   * How long one update may keep failing to be recorded (Redis away) before the mount gives
   * up with FL_ERR_NOT_RECORDED. The host's own handler timeout must be longer.
   */
  recordBudgetMs?: number;
}

export const DEFAULT_RECORD_BUDGET_MS = 60_000;
/** Head room a host's handler timeout needs above the budget (a record in flight, a retry). */
export const HANDLER_TIMEOUT_MARGIN_MS = 5_000;

/** True for FL_ERR_NOT_RECORDED, also wrapped in grammY's BotError. */
export function isNotRecorded(err: unknown): boolean {
  const cause = (err as { error?: unknown } | null)?.error;
  return [err, cause].some((e) => isFrontlineError(e, "FL_ERR_NOT_RECORDED"));
}

export class TelegramMount extends TelegramAdapter {
  readonly recordBudgetMs: number;
  /** Per chat (or agent topic): the last update's record, resolving false if it failed. */
  private readonly tails = new Map<string, Promise<boolean>>();
  /**
   * Per chat: the oldest update that could not be recorded. Later updates of that chat are
   * refused until it comes again and is recorded, so a redelivery never lands behind them.
   */
  private readonly refusedFrom = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private startedSignal!: () => void;
  private readonly startedOnce = new Promise<void>((resolve) => {
    this.startedSignal = resolve;
  });

  constructor(api: Api, options: MountOptions = {}) {
    super({ api, mode: "hosted", agentChatId: options.agentChatId, logger: options.logger });
    this.recordBudgetMs = options.recordBudgetMs ?? DEFAULT_RECORD_BUDGET_MS;
  }

  override async start(...args: Parameters<TelegramAdapter["start"]>): Promise<void> {
    await super.start(...args);
    this.startedSignal();
  }

  /**
   * Records `update` if it is Frontline's and resolves true once it is durable; resolves false
   * for an update Frontline does not take (the host's next middleware gets it). Updates of one
   * chat are recorded in the order they arrive here; once one of them could not be recorded,
   * the ones behind it are refused too, so a redelivery can never overtake what came after.
   */
  async take(update: Update, hostDeadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    // The host may allow less than the budget (its own handler timeout, started earlier).
    const deadline = Math.min(Date.now() + this.recordBudgetMs, hostDeadline);
    const key = orderKeyOf(update);
    const previous = this.tails.get(key) ?? Promise.resolve(true);
    const mine = previous.then(async (previousRecorded) => {
      const refused = this.refusedFrom.get(key);
      if (!previousRecorded || (refused !== undefined && update.update_id > refused))
        throw notRecorded(update, "an earlier update of this chat was not recorded");
      return this.recordByDeadline(update, deadline);
    });
    const tail = mine.then(
      () => {
        const refused = this.refusedFrom.get(key);
        if (refused !== undefined && update.update_id <= refused) this.refusedFrom.delete(key);
        return true;
      },
      () => {
        const refused = this.refusedFrom.get(key);
        this.refusedFrom.set(key, Math.min(refused ?? update.update_id, update.update_id));
        return false;
      },
    );
    this.tails.set(key, tail);
    this.inFlight.add(tail);
    void tail.then(() => {
      this.inFlight.delete(tail);
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }

  /** How many updates are being recorded right now. */
  get recording(): number {
    return this.inFlight.size;
  }

  /** Resolves once every update being recorded now is recorded or refused. */
  async drained(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async recordByDeadline(update: Update, deadline: number): Promise<boolean> {
    const started = await withinDeadline(
      this.startedOnce.then(() => true),
      deadline,
    );
    if (!started)
      throw notRecorded(update, "Frontline was not started: call `await frontline.start()`");
    for (let attempt = 0; ; attempt++) {
      try {
        // A connection that lost Redis queues commands instead of failing: the attempt is
        // cut at the deadline (if it lands later, the redelivery is dropped as a duplicate).
        const taken = await withinDeadline(this.handleUpdate(update), deadline);
        if (taken === undefined) throw new Error(`not recorded within ${this.recordBudgetMs} ms`);
        return taken;
      } catch (err) {
        const wait = Math.min(2_000, 100 * 2 ** attempt);
        if (Date.now() + wait >= deadline) throw notRecorded(update, (err as Error).message, err);
        this.options.logger?.warn(
          { err: String(err), updateId: update.update_id, attempt },
          "could not record an update; retrying",
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}

function notRecorded(update: Update, why: string, cause?: unknown): FrontlineError {
  return new FrontlineError(
    "FL_ERR_NOT_RECORDED",
    `update ${update.update_id} was not recorded (${why}); it must not be acknowledged, so Telegram delivers it again`,
    cause === undefined ? undefined : { cause },
  );
}

/** The promise's value, or undefined once the deadline passes first. */
async function withinDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
