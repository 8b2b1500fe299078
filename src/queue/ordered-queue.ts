// Per-key ordered, durable, deduplicated processing on BullMQ and Redis. BullMQ's open-source
// edition has no per-group ordering, so each group (a conversation, a chat) gets its own inbox
// list in Redis, and one job per item is added to BullMQ. Whichever job first takes the group's
// lease drains the inbox in order; the others wait (as delayed jobs) until their item is done.
//
// Why every item has its own job: a job completes only once its own item is out of the inbox,
// so an item can never be stranded, whatever crashes. A drainer killed mid-item leaves its job
// active; BullMQ's stalled check re-runs it, and it takes its own lease back (the lease token
// is the job id), so recovery never waits on a dead process longer than the lease.
import { randomUUID } from "node:crypto";
import { DelayedError, type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { DEFAULT_RECOVERY_MS } from "./recovery.ts";

export { DEFAULT_RECOVERY_MS } from "./recovery.ts";

/** What the handler wants done with the item at the head of a group's inbox. */
export type ItemOutcome =
  | { type: "done" }
  | { type: "retry"; afterMs: number; reason: string }
  | { type: "drop"; reason: string }
  /** The handler found the group's lease gone (its fence): another worker serves it now. */
  | { type: "lost" };

/**
 * The lease a handler runs under. A handler with an effect that cannot be undone (a send)
 * checks it in the same Redis script as its last step before the effect, so a process that
 * was paused past its lease and resumes does not repeat what the new holder already did.
 */
export interface Fence {
  lease: string;
  token: string;
}

export interface OrderedQueueOptions<T> {
  name: string;
  connection: Redis;
  prefix: string;
  handler: (
    group: string,
    item: T,
    meta: { itemId: string; attempts: number; fence: Fence },
  ) => Promise<ItemOutcome>;
  logger?: Logger;
  /** Parallel groups per process. */
  concurrency?: number;
  /** A drainer that stops renewing its lease loses the group after this long. */
  leaseMs?: number;
  /** BullMQ's lock: how soon a killed worker's active jobs are picked up again. */
  lockDurationMs?: number;
  /** How long an item id is remembered to drop duplicates. */
  dedupeTtlSeconds?: number;
  /** A job a dead (or stuck) process held was taken over by this one (metrics). */
  onTakeover?: () => void;
  /** false: only record items (a CLI replaying dead letters); another process drains them. */
  consume?: boolean;
  /** Test seam: runs after the handler, just before the item is acknowledged. */
  beforeAck?: (group: string, itemId: string) => Promise<void>;
}

// KEYS: seen, inbox, pending  ARGV: itemId, payload, ttl
const PUSH = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then
  return redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 and 2 or 0
end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 1`;

// KEYS: lease  ARGV: token, ttlMs  → {1} taken, or {0, remaining ms}
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if (not holder) or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, 0}
end
return {0, redis.call('PTTL', KEYS[1])}`;

// KEYS: pending, lease, inbox  ARGV: itemId, token, ttlMs
// → {2} item already done; {0, remaining ms} group busy; {1, 0, head} lease taken, first item
const START = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return {2} end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[2] then return {0, redis.call('PTTL', KEYS[2])} end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return {1, 0, redis.call('LINDEX', KEYS[3], 0)}`;

// KEYS: lease, inbox, pending  ARGV: token, itemId, ttlMs
// → {-1} lease lost; {0} inbox empty and lease released; {1, next head} lease renewed
// Releasing in the same script as the emptiness check leaves no hand-over gap: an item
// pushed a moment later finds the group free.
const ACK_NEXT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
local head = redis.call('LINDEX', KEYS[2], 0)
if head and cjson.decode(head).id == ARGV[2] then
  redis.call('LPOP', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[2])
end
local following = redis.call('LINDEX', KEYS[2], 0)
if not following then
  redis.call('DEL', KEYS[1])
  return {0}
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, following}`;

// KEYS: lease, inbox  ARGV: token, itemId, holdMs, head with attempts + 1 (encoded by the
// caller: cjson would turn empty arrays into objects) → 1 held, 0 the lease or the head changed
const HOLD = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local head = redis.call('LINDEX', KEYS[2], 0)
if not head or cjson.decode(head).id ~= ARGV[2] then return 0 end
redis.call('LSET', KEYS[2], 0, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// KEYS: lease  ARGV: token
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

interface Envelope<T> {
  id: string;
  attempts: number;
  item: T;
}

interface Scripts {
  orderedPush(
    seen: string,
    inbox: string,
    pending: string,
    id: string,
    payload: string,
    ttl: string,
  ): Promise<number>;
  orderedClaim(lease: string, token: string, ttl: string): Promise<[number, number]>;
  orderedStart(
    pending: string,
    lease: string,
    inbox: string,
    id: string,
    token: string,
    ttl: string,
  ): Promise<[number, number, string?]>;
  orderedAckNext(
    lease: string,
    inbox: string,
    pending: string,
    token: string,
    id: string,
    ttl: string,
  ): Promise<[number, string?]>;
  orderedRelease(lease: string, token: string): Promise<number>;
  orderedHold(
    lease: string,
    inbox: string,
    token: string,
    id: string,
    holdMs: string,
    head: string,
  ): Promise<number>;
}

export type PushResult = "added" | "duplicate-pending" | "duplicate-done";

export class OrderedQueue<T> {
  readonly queue: Queue;
  private worker: Worker | undefined;
  // (absent when the queue only records items: `consume: false`)
  private readonly redis: Redis & Scripts;
  private readonly leaseMs: number;
  private readonly dedupeTtl: number;
  private readonly keyPrefix: string;
  private closing = false;
  /** Lease renewals of handlers running now, stopped on a forced close. */
  private readonly heartbeats = new Set<() => void>();

  constructor(private readonly options: OrderedQueueOptions<T>) {
    this.redis = options.connection as Redis & Scripts;
    this.leaseMs = options.leaseMs ?? DEFAULT_RECOVERY_MS;
    // Just past Telegram's 24 h redelivery window.
    this.dedupeTtl = options.dedupeTtlSeconds ?? 26 * 3600;
    this.keyPrefix = `${options.prefix}${options.name}`;
    defineScripts(options.connection);
    this.queue = new Queue(options.name, {
      connection: options.connection,
      prefix: `${options.prefix}bull`,
    });
    this.queue.on("error", (err) => this.logError(err, "queue error"));
    if (options.consume === false) return;
    this.worker = new Worker(options.name, (job, token) => this.process(job, token), {
      connection: options.connection,
      prefix: `${options.prefix}bull`,
      concurrency: options.concurrency ?? 64,
      lockDuration: options.lockDurationMs ?? DEFAULT_RECOVERY_MS,
      // Not more often than the lock: a 1 s check cost the 200 msg/s run of bench:telegram
      // its p95 (12 → 61 ms). A dead process's waiting groups go over at lease expiry anyway;
      // only its own head items wait for this check.
      stalledInterval: options.lockDurationMs ?? DEFAULT_RECOVERY_MS,
      // A job stalls only when its process died; it must always run again, never fail for it.
      maxStalledCount: 1_000_000,
    });
    this.worker.on("error", (err) => this.logError(err, "worker error"));
    this.worker.on("stalled", () => options.onTakeover?.());
  }

  /** While stopping, the connection closing under in-flight work is expected, not an error
   * (it must not page anyone on every deploy): the work stays queued for the next worker. */
  private logError(err: unknown, what: string, extra: Record<string, unknown> = {}): void {
    const log = this.options.logger;
    if (
      this.closing &&
      /Connection is closed|connection closed|Connection ended/i.test(String(err))
    )
      log?.debug(
        { err: String(err), queue: this.options.name, ...extra },
        `${what} while stopping`,
      );
    else log?.error({ err, queue: this.options.name, ...extra }, what);
  }

  // One hash tag per group keeps a group's keys in one Redis Cluster slot.
  private keys(group: string) {
    const base = `${this.keyPrefix}:{${group}}`;
    return {
      inbox: `${base}:inbox`,
      pending: `${base}:pending`,
      lease: `${base}:lease`,
      seen: (id: string) => `${base}:seen:${id}`,
    };
  }

  /**
   * Durably records an item (deduplicated by `itemId`) and schedules it. Safe to call again
   * for the same item: when it resolves, the item is recorded and will be processed.
   */
  async push(group: string, itemId: string, item: T): Promise<PushResult> {
    const k = this.keys(group);
    const envelope: Envelope<T> = { id: itemId, attempts: 0, item };
    const pushed = await this.redis.orderedPush(
      k.seen(itemId),
      k.inbox,
      k.pending,
      itemId,
      JSON.stringify(envelope),
      String(this.dedupeTtl),
    );
    if (pushed === 0) return "duplicate-done";
    // Added only after the inbox write succeeded: if we die in between, the caller has not
    // acknowledged the platform, the update comes again, and this add (idempotent by job id)
    // happens then. A job that throws (Redis hiccup) is tried again, never given up.
    await this.queue.add(
      "item",
      { group, itemId },
      {
        jobId: jobIdFor(group, itemId),
        attempts: Number.MAX_SAFE_INTEGER,
        backoff: { type: "fixed", delay: 1_000 },
        removeOnComplete: { age: 600, count: 5_000 },
        removeOnFail: { age: 7 * 86_400 },
      },
    );
    return pushed === 1 ? "added" : "duplicate-pending";
  }

  private async process(job: Job, token: string | undefined): Promise<void> {
    const { group, itemId } = job.data as { group: string; itemId: string };
    const k = this.keys(group);
    // A fresh token per run: a stalled job re-run while its first run still lives must not
    // share the lease with it. A dead run's lease simply expires (leaseMs).
    const leaseToken = randomUUID();
    const ttl = String(this.leaseMs);
    const [state, remaining, first] = await this.redis.orderedStart(
      k.pending,
      k.lease,
      k.inbox,
      itemId,
      leaseToken,
      ttl,
    );
    if (state === 2) return; // another job's drainer already served this item
    if (state === 0) return this.delay(job, token, Math.max(remaining, 20) + Math.random() * 20);

    if (!first) {
      await this.redis.orderedRelease(k.lease, leaseToken);
      return;
    }
    let raw: string | undefined = first;
    while (raw) {
      const envelope = JSON.parse(raw) as Envelope<T>;
      const outcome = await this.runWithLease(group, envelope, k.lease, leaseToken);
      if (outcome.type === "lost") {
        if (await this.redis.sismember(k.pending, itemId)) return this.delay(job, token, 20);
        return;
      }
      if (outcome.type === "retry") {
        // Count the attempt and keep the group closed for the back-off, so no waiting job
        // runs the head item again early; only if the lease is still ours and the head unchanged.
        await this.redis.orderedHold(
          k.lease,
          k.inbox,
          leaseToken,
          envelope.id,
          String(Math.max(1, Math.ceil(outcome.afterMs))),
          JSON.stringify({ ...envelope, attempts: envelope.attempts + 1 }),
        );
        if (await this.redis.sismember(k.pending, itemId))
          return this.delay(job, token, Math.max(outcome.afterMs, 20));
        return;
      }
      if (outcome.type === "drop") {
        this.options.logger?.warn(
          { queue: this.options.name, group, itemId: envelope.id, reason: outcome.reason },
          "item dropped",
        );
      }
      await this.options.beforeAck?.(group, envelope.id);
      const [next, following] = await this.redis.orderedAckNext(
        k.lease,
        k.inbox,
        k.pending,
        leaseToken,
        envelope.id,
        ttl,
      );
      if (next === -1) {
        // The lease was lost (this process stalled): whoever holds it now serves the group.
        if (await this.redis.sismember(k.pending, itemId)) return this.delay(job, token, 20);
        return;
      }
      // 0: the inbox is empty and the lease went with the last acknowledgement.
      raw = next === 1 ? following : undefined;
    }
  }

  /** Keeps the lease while the handler runs (rate-limit waits, slow sends): if it lapsed, a
   * waiting job would take the group and run the same head item a second time. */
  private async runWithLease(
    group: string,
    envelope: Envelope<T>,
    lease: string,
    leaseToken: string,
  ): Promise<ItemOutcome> {
    // A handler hung for this long is given up on: its group goes to another worker rather
    // than stay blocked for good (the one case where an item may run twice).
    const giveUpAt = Date.now() + handlerGiveUpMs(this.leaseMs);
    const heartbeat = setInterval(
      () => {
        if (Date.now() > giveUpAt) return stop();
        void this.redis.orderedClaim(lease, leaseToken, String(this.leaseMs)).catch(() => {});
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    const stop = () => {
      clearInterval(heartbeat);
      this.heartbeats.delete(stop);
    };
    this.heartbeats.add(stop);
    try {
      return await this.runHandler(group, envelope, { lease, token: leaseToken });
    } finally {
      stop();
    }
  }

  private async runHandler(
    group: string,
    envelope: Envelope<T>,
    fence: Fence,
  ): Promise<ItemOutcome> {
    try {
      return await this.options.handler(group, envelope.item, {
        itemId: envelope.id,
        attempts: envelope.attempts,
        fence,
      });
    } catch (err) {
      // A handler must classify its own failures; an unexpected throw is retried with backoff.
      this.logError(err, "handler failed; will retry", { group, itemId: envelope.id });
      return {
        type: "retry",
        afterMs: Math.min(30_000, 250 * 2 ** envelope.attempts),
        reason: "handler threw",
      };
    }
  }

  private async delay(job: Job, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + Math.ceil(ms), token);
    throw new DelayedError();
  }

  /** Stops taking work; in-flight items finish (or, with `force`, are left for another worker). */
  async close(force = false): Promise<void> {
    this.closing = true;
    const worker = this.worker;
    this.worker = undefined;
    // Forced: stop renewing leases, so the groups this process still holds go to others.
    if (force) for (const stop of [...this.heartbeats]) stop();
    if (worker) await worker.close(force);
    await this.queue.close();
  }
}

/**
 * How long a handler may hang before its group is given to another worker (the one case where
 * an item may run twice). Platform clients must time out well before this (the Telegram
 * adapter's API_TIMEOUT_SECONDS), so a hung send is never sent again by a second drainer.
 */
export function handlerGiveUpMs(leaseMs: number): number {
  return Math.max(60_000, 4 * leaseMs);
}

function jobIdFor(group: string, itemId: string): string {
  // BullMQ job ids may not contain ':'.
  return `${group}|${itemId}`.replaceAll(":", "~");
}

function defineScripts(redis: Redis): void {
  const r = redis as Redis & Partial<Scripts>;
  if (r.orderedPush) return;
  redis.defineCommand("orderedPush", { numberOfKeys: 3, lua: PUSH });
  redis.defineCommand("orderedClaim", { numberOfKeys: 1, lua: CLAIM });
  redis.defineCommand("orderedStart", { numberOfKeys: 3, lua: START });
  redis.defineCommand("orderedAckNext", { numberOfKeys: 3, lua: ACK_NEXT });
  redis.defineCommand("orderedRelease", { numberOfKeys: 1, lua: RELEASE });
  redis.defineCommand("orderedHold", { numberOfKeys: 2, lua: HOLD });
}
