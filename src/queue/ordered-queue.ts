// Per-key ordered, durable, deduplicated processing on Redis, with BullMQ to spread work over
// processes. BullMQ's open-source edition has no per-group ordering, so each group (a
// conversation, a chat) gets its own inbox list in Redis, and one lease: whoever holds it
// drains the inbox in order, one item at a time, and gives it up in the same script that finds
// the inbox empty.
//
// The hot path needs no job at all: a push that finds its group idle claims the lease in the
// same script, and the pushing process drains the group at once (up to `concurrency` groups).
// Only a push past that limit adds a BullMQ job, one per activation of the group (not one per
// item), for whichever process is free; a back-off adds one delayed job.
//
// Nothing is stranded, whatever crashes: every group with work is in the queue's `claims`, scored
// by when its lease runs out. A holder renews its lease a few times per lease period; one that
// dies (or hangs past `handlerGiveUpMs`) stops, and the next sweep of any process (every third of
// the lease; at start-up too) adds a job that takes the group over. A process paused past its
// lease finds the lease gone at its next step, and its sends are fenced by the lease (Fence).
import { randomUUID } from "node:crypto";
import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { DEFAULT_RECOVERY_MS } from "./recovery.ts";
import { defineQueueScripts, type QueueScripts } from "./scripts.ts";

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

export interface ItemMeta {
  itemId: string;
  attempts: number;
  fence: Fence;
  /**
   * The item reached this drainer by its own push or by the acknowledgement of the item before
   * it, on its first attempt: no holder can have run it before (only the head is ever run). A
   * holder that stalls past its lease and resumes may still run it a second time after the new
   * holder, so a handler may skip a read that only saves work, never a check that keeps a
   * promise (the turn's commit checks again).
   */
  fresh: boolean;
  /**
   * The fields the push read in the script that claimed the group (`readWhenClaimed`), in
   * order, for the item it pushed: a snapshot taken a moment before the handler runs, so only
   * good for work that checks again when it writes (a compare-and-set).
   */
  readWithClaim?: (string | null)[];
}

/** A push prepared to run inside another script (OrderedQueue.prepare). */
export interface PreparedPush {
  readonly group: string;
  readonly itemId: string;
  readonly payload: string;
  /** The claim's lease token ('' when this process may not drain it here). */
  readonly token: string;
  /** PUSH_FUNCTION's keys and arguments, in order. */
  readonly keys: readonly string[];
  readonly args: readonly string[];
  settled: boolean;
}

/** Work a push does in its own script, beside recording the item. */
export interface PushExtras {
  /** When the push claims an idle group (this process then runs the item at once): read these
   * fields of this hash for the item's handler (ItemMeta.readWithClaim). */
  readWhenClaimed?: { key: string; fields: string[] };
  /** When the item is new (not a duplicate): delete this key. */
  deleteWhenAdded?: string;
}

export interface OrderedQueueOptions<T> {
  name: string;
  connection: Redis;
  prefix: string;
  handler: (group: string, item: T, meta: ItemMeta) => Promise<ItemOutcome>;
  logger?: Logger;
  /** Parallel groups per process, for each of the two ways in: drained where they were pushed,
   * and taken from BullMQ (work another process pushed past its own limit, or revived). */
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

interface Envelope<T> {
  id: string;
  attempts: number;
  item: T;
}

/** A BullMQ job's data: a group to drain; `hold` resumes a group closed for a back-off. */
interface DrainJob {
  group: string;
  hold?: string;
}

export type PushResult = "added" | "duplicate-pending" | "duplicate-done";

/** Groups with unfinished work, and how long the oldest of them has had it. */
export interface Backlog {
  groups: number;
  oldestMs: number | null;
}

/** Revived per sweep at most (more wait for the next sweep). */
const SWEEP_BATCH = 200;

export class OrderedQueue<T> {
  readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly redis: Redis & QueueScripts;
  private readonly leaseMs: number;
  private readonly dedupeTtl: number;
  private readonly keyPrefix: string;
  private readonly claims: string;
  private readonly active: string;
  private readonly inlineLimit: number;
  /** Drains running in this process for groups it claimed when pushing. */
  private readonly inline = new Set<Promise<void>>();
  /** Pushes in flight that may claim (counted against the inline limit before they return). */
  private claiming = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private closing = false;
  /** A forced close: drains stop between items and leave their groups to others. */
  private forced = false;
  /** Lease renewals of handlers running now, stopped on a forced close. */
  private readonly heartbeats = new Set<() => void>();

  constructor(private readonly options: OrderedQueueOptions<T>) {
    this.redis = defineQueueScripts(options.connection);
    this.leaseMs = options.leaseMs ?? DEFAULT_RECOVERY_MS;
    // Just past Telegram's 24 h redelivery window.
    this.dedupeTtl = options.dedupeTtlSeconds ?? 26 * 3600;
    this.keyPrefix = `${options.prefix}${options.name}`;
    this.claims = `${this.keyPrefix}:claims`;
    this.active = `${this.keyPrefix}:active`;
    this.inlineLimit = options.concurrency ?? 64;
    this.queue = new Queue(options.name, {
      connection: options.connection,
      prefix: `${options.prefix}bull`,
    });
    this.queue.on("error", (err) => this.logError(err, "queue error"));
    if (options.consume === false) return;
    this.worker = new Worker(options.name, (job) => this.process(job), {
      connection: options.connection,
      prefix: `${options.prefix}bull`,
      concurrency: options.concurrency ?? 64,
      lockDuration: options.lockDurationMs ?? DEFAULT_RECOVERY_MS,
      // Not more often than the lock: a 1 s check cost the 200 msg/s run of bench:telegram
      // its p95 (12 → 61 ms). Groups are revived by the sweep below; only a job taken by a
      // process that died before it claimed its group waits for this check.
      stalledInterval: options.lockDurationMs ?? DEFAULT_RECOVERY_MS,
      // A job stalls only when its process died; it must always run again, never fail for it.
      maxStalledCount: 1_000_000,
    });
    this.worker.on("error", (err) => this.logError(err, "worker error"));
    this.worker.on("stalled", () => options.onTakeover?.());
    const every = Math.max(100, Math.floor(this.leaseMs / 3));
    this.sweeper = setInterval(() => void this.sweep(), every);
    this.sweeper.unref();
    void this.sweep();
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

  // A hash tag per group; in a Redis Cluster the prefix's own tag (required there) is the one
  // that counts, keeping the group's keys and the queue's claims in one slot.
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
   * for the same item: when it resolves, the item is recorded and will be processed. One round
   * trip when the group is busy or this process drains it; two when a job must be added.
   * `extras` ride on the same script (they cost no round trip); their keys must share the
   * group's slot in a Redis Cluster, as every key of a bot does under the prefix's hash tag.
   */
  async push(group: string, itemId: string, item: T, extras: PushExtras = {}): Promise<PushResult> {
    const prepared = this.prepare(group, itemId, item);
    const keys = [...prepared.keys];
    let flags = "";
    if (extras.readWhenClaimed) {
      keys.push(extras.readWhenClaimed.key);
      flags += "p";
    }
    if (extras.deleteWhenAdded) {
      keys.push(extras.deleteWhenAdded);
      flags += "c";
    }
    let reply: [number, ...(string | null)[]];
    try {
      reply = await this.redis.orderedPush(
        String(keys.length),
        ...keys,
        ...prepared.args,
        flags,
        ...(extras.readWhenClaimed?.fields ?? []),
      );
    } catch (err) {
      this.abandon(prepared);
      throw err;
    }
    const [pushed, ...read] = reply;
    return this.settle(prepared, pushed, extras.readWhenClaimed ? read : undefined);
  }

  /**
   * A push to run inside another script (the turn's commit records its replies with it, see
   * PUSH_FUNCTION): its keys and arguments, in push()'s order. Every prepared push must be
   * settled with that script's code for it, or abandoned when the script failed or did not run
   * it; until then it counts against this process's limit of inline drains.
   */
  prepare(group: string, itemId: string, item: T): PreparedPush {
    const k = this.keys(group);
    const payload = JSON.stringify({ id: itemId, attempts: 0, item } satisfies Envelope<T>);
    const mayClaim =
      this.worker !== undefined &&
      !this.closing &&
      this.inline.size + this.claiming < this.inlineLimit;
    const token = mayClaim ? randomUUID() : "";
    if (mayClaim) this.claiming += 1;
    return {
      group,
      itemId,
      payload,
      token,
      settled: false,
      keys: [k.seen(itemId), k.inbox, k.pending, k.lease, this.claims, this.active],
      args: [
        itemId,
        payload,
        String(this.dedupeTtl),
        group,
        token,
        String(this.leaseMs),
        // A job waiting its turn in BullMQ under load must not look like a dead holder.
        String(handlerGiveUpMs(this.leaseMs)),
      ],
    };
  }

  /** A prepared push whose script failed or did not run it: nothing was recorded. */
  abandon(prepared: PreparedPush): void {
    this.release(prepared);
  }

  private release(prepared: PreparedPush): void {
    if (prepared.settled) throw new Error(`push of ${prepared.itemId} settled twice`);
    prepared.settled = true;
    if (prepared.token) this.claiming -= 1;
  }

  /** What a prepared push's script said (PUSH_FUNCTION's code): drains the group here when it
   * claimed it, or adds the job that hands it to whoever is free. */
  async settle(
    prepared: PreparedPush,
    code: number,
    read?: (string | null)[],
  ): Promise<PushResult> {
    this.release(prepared);
    switch (code) {
      case 0:
        return "duplicate-done";
      case 3:
        this.drainHere(prepared.group, prepared.payload, prepared.token, read);
        return "added";
      case 4:
      case 2:
        // A job for the activation. Added only after the inbox write: if we die in between, the
        // caller has not acknowledged the platform, the update comes again as a pending
        // duplicate and adds it then (idempotent by id); and the group's claim runs out and a
        // sweep revives it in any case.
        await this.addJob({ group: prepared.group }, `${prepared.group}|${prepared.itemId}`);
        return code === 4 ? "added" : "duplicate-pending";
      default:
        return "added";
    }
  }

  private async addJob(data: DrainJob, id: string, delayMs = 0): Promise<void> {
    await this.queue.add("drain", data, {
      // BullMQ job ids may not contain ':'.
      jobId: id.replaceAll(":", "~"),
      delay: delayMs > 0 ? Math.ceil(delayMs) : undefined,
      // A job that throws (a Redis hiccup) is tried again, never given up.
      attempts: Number.MAX_SAFE_INTEGER,
      backoff: { type: "fixed", delay: 1_000 },
      removeOnComplete: { age: 600, count: 5_000 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  /** Drains a group this process claimed when pushing, without waiting for it. */
  private drainHere(group: string, head: string, token: string, read?: (string | null)[]): void {
    const run = this.drain(group, head, token, true, read)
      .catch((err) =>
        // The lease runs out and a sweep gives the group to whoever looks next.
        this.logError(err, "drain failed; the group goes to the next sweep", { group }),
      )
      .finally(() => this.inline.delete(run));
    this.inline.add(run);
  }

  private async process(job: Job): Promise<void> {
    const { group, hold } = job.data as DrainJob;
    const k = this.keys(group);
    // A fresh token per run: a stalled job re-run while its first run still lives must not
    // share the lease with it.
    const token = randomUUID();
    const [state, head] = await this.redis.orderedStart(
      k.lease,
      k.inbox,
      this.claims,
      this.active,
      token,
      String(this.leaseMs),
      group,
      hold ?? "",
    );
    // 0: a live holder drains it (or a dead one's claim runs out and a sweep revives it);
    // 2: nothing left to do.
    if (state === 1 && head) await this.drain(group, head, token, false);
  }

  /** Drains the group from `first` on, under the lease `token`, until its inbox is empty.
   * `pushedHere`: `first` is the item this process just pushed to an idle group; `read`: what
   * that push read with its claim (`readWhenClaimed`), handed to the first item's handler. */
  private async drain(
    group: string,
    first: string,
    token: string,
    pushedHere: boolean,
    read?: (string | null)[],
  ): Promise<void> {
    const k = this.keys(group);
    const ttl = String(this.leaseMs);
    let raw: string | undefined = first;
    let fresh = pushedHere;
    let readWithClaim = read;
    while (raw) {
      const envelope = JSON.parse(raw) as Envelope<T>;
      const outcome = await this.runWithLease(
        group,
        envelope,
        k.lease,
        token,
        fresh && envelope.attempts === 0,
        readWithClaim,
      );
      readWithClaim = undefined;
      // The lease went to another holder (this process stalled): it serves the group now.
      if (outcome.type === "lost") return;
      if (outcome.type === "retry") return this.hold(group, envelope, token, outcome.afterMs);
      if (outcome.type === "drop") {
        this.options.logger?.warn(
          { queue: this.options.name, group, itemId: envelope.id, reason: outcome.reason },
          "item dropped",
        );
      }
      await this.options.beforeAck?.(group, envelope.id);
      const [next, following, popped] = await this.redis.orderedAckNext(
        k.lease,
        k.inbox,
        k.pending,
        this.claims,
        this.active,
        token,
        envelope.id,
        ttl,
        group,
      );
      // -1: the lease was lost; 0: the inbox is empty and the lease went with the last ack.
      raw = next === 1 ? following : undefined;
      // Not popped: the head was not this one's (another holder acknowledged it meanwhile), so
      // the next item may have run elsewhere already.
      fresh = popped === 1;
      if (this.forced) return; // a forced close: the lease runs out and a sweep revives the group
    }
  }

  /** Counts the attempt and keeps the group closed for the back-off; a delayed job resumes it. */
  private async hold(
    group: string,
    envelope: Envelope<T>,
    token: string,
    afterMs: number,
  ): Promise<void> {
    const k = this.keys(group);
    const holdMs = Math.max(1, Math.ceil(afterMs));
    const holdToken = `hold:${randomUUID()}`;
    const held = await this.redis.orderedHold(
      k.lease,
      k.inbox,
      this.claims,
      token,
      envelope.id,
      String(holdMs),
      JSON.stringify({ ...envelope, attempts: envelope.attempts + 1 }),
      holdToken,
      String(this.leaseMs),
      group,
    );
    if (held === 1) await this.addJob({ group, hold: holdToken }, `${group}|${holdToken}`, holdMs);
  }

  /** Keeps the lease while the handler runs (rate-limit waits, slow sends): if it lapsed, a
   * sweep would hand the group to another process, which would run the same head item again. */
  private async runWithLease(
    group: string,
    envelope: Envelope<T>,
    lease: string,
    leaseToken: string,
    fresh: boolean,
    readWithClaim: (string | null)[] | undefined,
  ): Promise<ItemOutcome> {
    // A handler hung for this long is given up on: its group goes to another worker rather
    // than stay blocked for good (the one case where an item may run twice).
    const giveUpAt = Date.now() + handlerGiveUpMs(this.leaseMs);
    const heartbeat = setInterval(
      () => {
        if (Date.now() > giveUpAt) return stop();
        void this.redis
          .orderedRenew(lease, this.claims, leaseToken, String(this.leaseMs), group)
          .catch(() => {});
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    const stop = () => {
      clearInterval(heartbeat);
      this.heartbeats.delete(stop);
    };
    this.heartbeats.add(stop);
    try {
      return await this.runHandler(
        group,
        envelope,
        { lease, token: leaseToken },
        fresh,
        readWithClaim,
      );
    } finally {
      stop();
    }
  }

  private async runHandler(
    group: string,
    envelope: Envelope<T>,
    fence: Fence,
    fresh: boolean,
    readWithClaim: (string | null)[] | undefined,
  ): Promise<ItemOutcome> {
    try {
      return await this.options.handler(group, envelope.item, {
        itemId: envelope.id,
        attempts: envelope.attempts,
        fence,
        fresh,
        ...(readWithClaim ? { readWithClaim } : {}),
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

  /** Gives every group whose claim ran out (its holder died, hung, or never got its job) a job
   * that takes it over. Any process's sweep will do; the job id keeps a revival single. */
  private async sweep(): Promise<void> {
    if (this.closing) return;
    try {
      const expired = await this.redis.orderedExpired(this.claims, String(SWEEP_BATCH));
      for (const group of expired) {
        const k = this.keys(group);
        const score = await this.redis.orderedRevive(
          k.lease,
          k.inbox,
          this.claims,
          this.active,
          group,
          String(this.leaseMs),
          String(handlerGiveUpMs(this.leaseMs)),
        );
        if (score === null) continue;
        await this.addJob({ group }, `${group}|revive|${score}`);
        this.options.onTakeover?.();
      }
    } catch (err) {
      this.logError(err, "sweep failed; the next one tries again");
    }
  }

  /** Groups with unfinished work (metrics), read from Redis: the same for every process. */
  async backlog(): Promise<Backlog> {
    const [groups, oldestMs] = await this.redis.orderedBacklog(this.active);
    return { groups, oldestMs: oldestMs < 0 ? null : oldestMs };
  }

  /** Stops taking work; in-flight items finish (or, with `force`, are left for another worker). */
  async close(force = false): Promise<void> {
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    const worker = this.worker;
    this.worker = undefined;
    // Forced: stop renewing leases and stop drains between items, so the groups this process
    // still holds go to others.
    if (force) {
      this.forced = true;
      for (const stop of [...this.heartbeats]) stop();
    }
    if (worker) await worker.close(force);
    // Graceful: also the drains that pushes still in flight start (they claim before closing).
    while (!force && (this.inline.size > 0 || this.claiming > 0))
      await Promise.race([Promise.allSettled([...this.inline]), sleep(10)]);
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
