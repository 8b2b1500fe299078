// The update queue: update_id allocation, getUpdates long polling, and webhook delivery.
import type { Update } from "grammy/types";
import { ApiError } from "./errors.ts";
import type { PushedUpdate } from "./types.ts";

/** Types not delivered unless asked for explicitly (Bot API: allowed_updates = []). */
const OPT_IN_TYPES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

export const WEBHOOK_CONFLICT =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
export const POLL_CONFLICT =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";

interface Entry {
  update: Update;
  type: string;
  key: number | string;
  done: boolean;
  inflight: boolean;
  attempts: number;
  retryAt: number;
}

interface Poll {
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (err: ApiError) => void;
  timer: NodeJS.Timeout;
}

export interface WebhookConfig {
  url: string;
  secretToken: string | undefined;
  maxConnections: number;
  ipAddress: string | undefined;
}

export interface QueueOptions {
  retryDelaysMs: number[];
  timeoutMs: number;
}

function chatKey(payload: unknown): number | string {
  const p = payload as {
    chat?: { id: number };
    message?: { chat?: { id: number } };
    from?: { id: number };
  };
  return p?.chat?.id ?? p?.message?.chat?.id ?? (p?.from ? `u${p.from.id}` : "*");
}

export class UpdateQueue {
  private entries: Entry[] = [];
  private head = 0;
  /** Not-yet-confirmed, not-yet-delivered entries. */
  private live = 0;
  private lastId = 0;
  private poll: Poll | undefined;
  private flushQueued = false;
  private allowed: Set<string> | undefined;
  webhook: WebhookConfig | undefined;
  lastError: { date: number; message: string } | undefined;
  private inflight = 0;
  private readonly inflightKeys = new Map<number | string, number>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryTimerAt = Number.POSITIVE_INFINITY;
  private readonly controllers = new Set<AbortController>();
  private closed = false;

  constructor(private readonly opts: QueueOptions) {}

  get lastUpdateId(): number {
    return this.lastId;
  }

  get allowedUpdates(): string[] | undefined {
    return this.allowed ? [...this.allowed] : undefined;
  }

  pending(): number {
    return this.live;
  }

  push(body: PushedUpdate): Update {
    const update = { update_id: ++this.lastId, ...body } as Update;
    let type = "unknown";
    for (const k in body) {
      type = k;
      break;
    }
    const payload = (body as Record<string, unknown>)[type];
    this.entries.push({
      update,
      type,
      key: chatKey(payload),
      done: false,
      inflight: false,
      attempts: 0,
      retryAt: 0,
    });
    this.live++;
    if (this.webhook) this.kick();
    else if (this.poll && !this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
    return update;
  }

  setAllowed(list: string[] | undefined): void {
    if (list === undefined) return;
    this.allowed = list.length > 0 ? new Set(list) : undefined;
  }

  private isAllowed(type: string): boolean {
    return this.allowed ? this.allowed.has(type) : !OPT_IN_TYPES.has(type);
  }

  // ---- long polling -------------------------------------------------------------------------

  getUpdates(
    offset: number,
    limit: number,
    timeoutSec: number,
    onAbort: (cb: () => void) => void,
  ): Update[] | Promise<Update[]> {
    if (this.webhook) throw new ApiError(409, WEBHOOK_CONFLICT);
    this.confirm(offset);
    this.releasePoll(new ApiError(409, POLL_CONFLICT));
    const batch = this.collect(limit);
    if (batch.length > 0 || timeoutSec <= 0 || this.closed) return batch;
    return new Promise<Update[]>((resolve, reject) => {
      const poll: Poll = {
        limit,
        resolve,
        reject,
        timer: setTimeout(() => {
          if (this.poll === poll) this.poll = undefined;
          resolve([]);
        }, timeoutSec * 1000),
      };
      this.poll = poll;
      onAbort(() => {
        if (this.poll !== poll) return;
        this.poll = undefined;
        clearTimeout(poll.timer);
        resolve([]);
      });
    });
  }

  /** Ends the held poll: with an error, or with an empty batch. */
  private releasePoll(err?: ApiError): void {
    const poll = this.poll;
    if (!poll) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    if (err) poll.reject(err);
    else poll.resolve([]);
  }

  private flush(): void {
    this.flushQueued = false;
    const poll = this.poll;
    if (!poll) return;
    const batch = this.collect(poll.limit);
    if (batch.length === 0) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    poll.resolve(batch);
  }

  private collect(limit: number): Update[] {
    const out: Update[] = [];
    for (let i = this.head; i < this.entries.length && out.length < limit; i++) {
      const e = this.entries[i] as Entry;
      if (!e.done && this.isAllowed(e.type)) out.push(e.update);
    }
    return out;
  }

  /** Forgets updates below `offset` (negative: keep only the last -offset ones). */
  private confirm(offset: number): void {
    if (offset > 0) {
      while (
        this.head < this.entries.length &&
        (this.entries[this.head] as Entry).update.update_id < offset
      ) {
        this.markDone(this.entries[this.head++] as Entry);
      }
    } else if (offset < 0) {
      const keepFrom = Math.max(this.head, this.entries.length + offset);
      while (this.head < keepFrom) this.markDone(this.entries[this.head++] as Entry);
    }
    this.compact();
  }

  private markDone(e: Entry): void {
    if (e.done) return;
    e.done = true;
    this.live--;
  }

  private compact(): void {
    while (this.head < this.entries.length && (this.entries[this.head] as Entry).done) this.head++;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  dropPending(): void {
    while (this.head < this.entries.length) this.markDone(this.entries[this.head++] as Entry);
    this.compact();
  }

  // ---- webhook ------------------------------------------------------------------------------

  setWebhook(cfg: WebhookConfig, dropPending: boolean): void {
    this.webhook = cfg;
    this.lastError = undefined;
    if (dropPending) this.dropPending();
    this.releasePoll(new ApiError(409, WEBHOOK_CONFLICT));
    this.kick();
  }

  deleteWebhook(dropPending: boolean): void {
    this.webhook = undefined;
    this.clearRetryTimer();
    if (dropPending) this.dropPending();
  }

  private kick(): void {
    const hook = this.webhook;
    if (!hook || this.closed) return;
    const max = hook.maxConnections;
    if (this.inflight >= max) return;
    this.compact();
    const now = Date.now();
    let nextRetry = Number.POSITIVE_INFINITY;
    const blocked = max > 1 ? new Set(this.inflightKeys.keys()) : undefined;
    for (
      let i = this.head, scanned = 0;
      i < this.entries.length && this.inflight < max && scanned < 4096;
      i++, scanned++
    ) {
      const e = this.entries[i] as Entry;
      if (e.done) continue;
      if (!this.isAllowed(e.type)) {
        this.markDone(e);
        continue;
      }
      if (blocked === undefined) {
        // max_connections 1: strictly sequential, in update_id order.
        if (e.inflight) break;
        if (e.retryAt > now) {
          nextRetry = e.retryAt;
          break;
        }
        this.deliver(e, hook);
        break;
      }
      if (e.inflight || blocked.has(e.key)) {
        blocked.add(e.key);
        continue;
      }
      blocked.add(e.key);
      if (e.retryAt > now) nextRetry = Math.min(nextRetry, e.retryAt);
      else this.deliver(e, hook);
    }
    if (nextRetry !== Number.POSITIVE_INFINITY && nextRetry < this.retryTimerAt) {
      this.clearRetryTimer();
      this.retryTimerAt = nextRetry;
      this.retryTimer = setTimeout(
        () => {
          this.retryTimer = undefined;
          this.retryTimerAt = Number.POSITIVE_INFINITY;
          this.kick();
        },
        Math.max(0, nextRetry - now),
      );
    }
  }

  private clearRetryTimer(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryTimerAt = Number.POSITIVE_INFINITY;
  }

  private deliver(e: Entry, hook: WebhookConfig): void {
    e.inflight = true;
    this.inflight++;
    this.inflightKeys.set(e.key, (this.inflightKeys.get(e.key) ?? 0) + 1);
    const ac = new AbortController();
    this.controllers.add(ac);
    const timer = setTimeout(() => ac.abort(), this.opts.timeoutMs);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (hook.secretToken) headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secretToken;
    fetch(hook.url, { method: "POST", headers, body: JSON.stringify(e.update), signal: ac.signal })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        return res.ok
          ? undefined
          : `Wrong response from the webhook: ${res.status} ${res.statusText}`;
      })
      .catch((err: Error & { cause?: { code?: string } }) => {
        return ac.signal.aborted
          ? "Read timeout expired"
          : `Connection failed: ${err.cause?.code ?? err.message}`;
      })
      .then((error) => {
        clearTimeout(timer);
        this.controllers.delete(ac);
        e.inflight = false;
        this.inflight--;
        const n = (this.inflightKeys.get(e.key) ?? 1) - 1;
        if (n > 0) this.inflightKeys.set(e.key, n);
        else this.inflightKeys.delete(e.key);
        if (this.closed) return;
        if (error === undefined) {
          this.markDone(e);
        } else {
          e.attempts++;
          const delays = this.opts.retryDelaysMs;
          const delay = delays[Math.min(e.attempts, delays.length) - 1] ?? 100;
          e.retryAt = Date.now() + delay;
          this.lastError = { date: Math.floor(Date.now() / 1000), message: error };
        }
        this.kick();
      });
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Drops everything pending and the webhook; update_ids keep counting up. */
  reset(): void {
    this.releasePoll();
    this.deleteWebhook(true);
    this.allowed = undefined;
    this.lastError = undefined;
  }

  close(): void {
    this.closed = true;
    this.releasePoll();
    this.clearRetryTimer();
    for (const ac of this.controllers) ac.abort();
    this.controllers.clear();
  }
}
