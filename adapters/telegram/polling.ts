// Long polling that never loses an update: the offset moves past an update only after every
// update of the batch is durably recorded. A kill -9 at any moment means the unconfirmed
// updates come again, and the intake drops the ones it already has.
import { type Api, GrammyError, HttpError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "pino";

export interface PollingOptions {
  api: Api;
  /** Records one update durably; throws when it could not (then nothing is confirmed). */
  record: (update: Update) => Promise<void>;
  /** Updates of one conversation are recorded in order; different ones in parallel. */
  orderKey: (update: Update) => string;
  allowedUpdates: readonly string[];
  logger?: Logger;
  timeoutSeconds?: number;
  /** Polling is impossible or contested (401, 409): the adapter's health shows why. */
  onTrouble?: (trouble: string | null) => void;
}

export class Poller {
  private running = false;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private offset = 0;

  constructor(private readonly options: PollingOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops fetching; a batch being recorded is finished first, so its offset is confirmed next time. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { api, logger } = this.options;
    let failures = 0;
    while (this.running) {
      this.abort = new AbortController();
      let updates: Update[];
      try {
        updates = await api.getUpdates(
          {
            offset: this.offset,
            limit: 100,
            // Below the client timeout (API_TIMEOUT_SECONDS), which would cut a longer poll.
            timeout: this.options.timeoutSeconds ?? 25,
            allowed_updates: this.options.allowedUpdates as never,
          },
          this.abort.signal as never,
        );
        if (failures > 0) this.options.onTrouble?.(null);
        failures = 0;
      } catch (err) {
        if (!this.running) break;
        failures += 1;
        const wait = waitAfter(err, failures);
        if (wait === "fatal") {
          // Never an unhandled rejection: polling stops, the health says why (readiness fails).
          logger?.fatal(
            { err: String(err) },
            "Telegram refused polling: the token was revoked or is wrong",
          );
          this.options.onTrouble?.("Telegram refused the token (401): polling stopped");
          this.running = false;
          break;
        }
        if (err instanceof GrammyError && err.error_code === 409) {
          // Another process polls this bot (a second replica without TELEGRAM_MODE=worker, or
          // an old instance still running), or someone set a webhook: wait it out, loudly.
          const trouble = /webhook/i.test(err.description)
            ? "a webhook was set for this bot while it polls (409 Conflict); use TELEGRAM_MODE=webhook or delete the webhook"
            : "another process is polling this bot (409 Conflict); run extra replicas with TELEGRAM_MODE=worker";
          if (failures === 1 || failures % 20 === 0)
            logger?.error({ err: String(err), retryInMs: wait }, trouble);
          this.options.onTrouble?.(trouble);
        } else logger?.warn({ err: String(err), retryInMs: wait }, "getUpdates failed; retrying");
        // The back-off ends early on stop(), so a deploy never waits it out.
        await sleep(wait, this.abort.signal);
        continue;
      }
      if (updates.length === 0) continue;
      await this.recordBatch(updates);
      // Confirmed on the next getUpdates call, only now that the whole batch is recorded.
      this.offset = updates.at(-1)!.update_id + 1;
    }
  }

  private async recordBatch(updates: Update[]): Promise<void> {
    const lanes = new Map<string, Update[]>();
    for (const u of updates) {
      const key = this.options.orderKey(u);
      lanes.set(key, [...(lanes.get(key) ?? []), u]);
    }
    await Promise.all(
      [...lanes.values()].map(async (lane) => {
        for (const update of lane) await this.recordUntilDone(update);
      }),
    );
  }

  /** Redis may be down for a while: keep trying (the offset waits), never skip an update. */
  private async recordUntilDone(update: Update): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.record(update);
      } catch (err) {
        this.options.logger?.error(
          { err: String(err), updateId: update.update_id, attempt },
          "could not record an update; retrying",
        );
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
  }
}

function waitAfter(err: unknown, failures: number): number | "fatal" {
  if (err instanceof GrammyError) {
    if (err.error_code === 401) return "fatal";
    if (err.error_code === 409) return Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5));
    if (err.error_code === 429) return (err.parameters.retry_after ?? 1) * 1000;
  }
  if (err instanceof HttpError || err instanceof GrammyError)
    return Math.min(30_000, 250 * 2 ** failures);
  return Math.min(30_000, 250 * 2 ** failures);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const timer = setTimeout(r, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      r();
    });
  });
}
