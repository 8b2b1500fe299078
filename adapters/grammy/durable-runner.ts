// @grammyjs/runner with updates that survive a crash. The runner's own fetcher moves the
// getUpdates offset as soon as a batch is fetched, so a kill -9 loses every update still being
// handled; this supplier confirms an update only once its handling finished (the offset stays
// at the oldest unfinished one) and skips what Telegram sends again meanwhile. It also runs
// each chat's updates one after another, as `sequentialize` would, so they are recorded in
// order; other chats run concurrently up to the sink's limit.
import {
  createConcurrentSink,
  createRunner,
  createSource,
  type RunnerHandle,
  type SinkOptions,
  type SourceOptions,
  type UpdateSupplier,
} from "@grammyjs/runner";
import type { Bot, Context } from "grammy";
import type { Update } from "grammy/types";
import { orderKeyOf } from "../telegram/adapter.ts";
import { isNotRecorded } from "../telegram/mount.ts";

export interface DurableRunOptions {
  source?: SourceOptions;
  sink?: SinkOptions<Update>;
  /** Long-polling timeout in seconds (default 25, below Frontline's API timeout). */
  pollTimeoutSeconds?: number;
  allowedUpdates?: string[];
}

/** Like the runner's `run(bot)`, with the offset confirmed only past handled updates. */
export function run(bot: Bot<Context>, options: DurableRunOptions = {}): RunnerHandle {
  const supplier = new DurableSupplier(bot, options);
  const sink = createConcurrentSink<Update, unknown>(
    { consume: (update) => supplier.consume(update) },
    async (error) => {
      // Not recorded: consume() already arranged for it to come again.
      if (isNotRecorded(error)) return;
      try {
        await bot.errorHandler(error as never);
      } catch (err) {
        console.error("[frontline] error handler failed:", err);
      }
    },
    options.sink,
  );
  const runner = createRunner(createSource(supplier, options.source), sink);
  runner.start();
  return {
    ...runner,
    // The runner's stop() returns before the updates being handled finish, and confirms
    // nothing: wait for them, then confirm what was handled (else a restart handles the
    // host's updates again).
    stop: async () => {
      await runner.stop();
      await supplier.drained();
      await supplier.confirm();
    },
  };
}

type RunnerSignal = Parameters<UpdateSupplier<Update>["supply"]>[1];

class DurableSupplier implements UpdateSupplier<Update> {
  /** Fetched and not yet confirmable: being handled, handled above an unfinished one, or to
   * be handled again (it was not recorded). */
  private readonly seen = new Map<number, "handling" | "done" | "again">();
  private next = 0;
  private readonly chats = new Map<string, Promise<void>>();
  private progress: () => void = () => {};
  private readonly consuming = new Set<Promise<unknown>>();
  private initialized = false;

  constructor(
    private readonly bot: Bot<Context>,
    private readonly options: DurableRunOptions,
  ) {}

  /** The oldest update not finished yet: Telegram is told everything below it is done. */
  private get offset(): number {
    for (const [id, state] of [...this.seen].sort((a, b) => a[0] - b[0])) {
      if (state !== "done") return id;
      this.seen.delete(id);
    }
    return this.next;
  }

  async supply(batchSize: number, signal: RunnerSignal): Promise<Update[]> {
    if (!this.initialized) {
      await this.bot.init();
      this.initialized = true;
    }
    for (let failures = 0; !signal.aborted; ) {
      const offset = this.offset;
      const moved = new Promise<void>((r) => {
        this.progress = r;
      });
      let updates: Update[];
      try {
        updates = await this.bot.api.getUpdates(
          {
            offset,
            limit: Math.min(100, batchSize + this.seen.size),
            timeout: this.options.pollTimeoutSeconds ?? 25,
            allowed_updates: this.options.allowedUpdates as never,
          },
          signal as never,
        );
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        // A revoked token or a second poller: stop, as the runner's own fetcher does.
        const code = (err as { error_code?: number }).error_code;
        if (code === 401 || code === 409) throw err;
        failures += 1;
        console.error("[frontline] getUpdates failed; retrying:", String(err));
        await sleep(Math.min(30_000, 250 * 2 ** failures), signal);
        continue;
      }
      const fresh = updates.filter((u) => (this.seen.get(u.update_id) ?? "again") === "again");
      for (const u of fresh) this.seen.set(u.update_id, "handling");
      const last = updates.at(-1);
      if (last) this.next = Math.max(this.next, last.update_id + 1);
      if (fresh.length > 0) return fresh;
      // Telegram answered at once with updates still being handled: wait for one to finish
      // instead of asking again in a tight loop.
      if (updates.length > 0) await Promise.race([moved, sleep(1_000, signal)]);
    }
    return [];
  }

  consume(update: Update): Promise<void> {
    const done = this.handle(update);
    const settled = done.catch(() => {});
    this.consuming.add(settled);
    void settled.then(() => this.consuming.delete(settled));
    return done;
  }

  async drained(): Promise<void> {
    while (this.consuming.size > 0) await Promise.all([...this.consuming]);
  }

  /** Tells Telegram that everything below the oldest unfinished update was handled. */
  async confirm(): Promise<void> {
    await this.bot.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 }).catch(() => {});
  }

  private async handle(update: Update): Promise<void> {
    const key = orderKeyOf(update);
    const run = (this.chats.get(key) ?? Promise.resolve()).then(() =>
      this.bot.handleUpdate(update),
    );
    const tail = run.catch(() => {});
    this.chats.set(key, tail);
    try {
      await run;
      this.finish(update, "done");
    } catch (err) {
      // Not recorded: after a pause the next getUpdates brings it back (the offset stays at
      // it) and it is handled again. Any other failure is the host's and counts as handled.
      if (isNotRecorded(err)) setTimeout(() => this.finish(update, "again"), 1_000);
      else this.finish(update, "done");
      throw err;
    } finally {
      void tail.then(() => {
        if (this.chats.get(key) === tail) this.chats.delete(key);
      });
    }
  }

  private finish(update: Update, how: "done" | "again"): void {
    this.seen.set(update.update_id, how);
    this.progress();
  }
}

function sleep(ms: number, signal: RunnerSignal): Promise<void> {
  return new Promise((r) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      r();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
