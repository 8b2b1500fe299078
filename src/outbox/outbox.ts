// Every outbound message goes through here: recorded durably, delivered in order per chat,
// within the platform's limits, retried on 429/5xx/network errors, never silently dropped.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Channel } from "../core/channel.ts";
import { DeliveryError } from "../core/errors.ts";
import type { Address, OutboundMessage, RateLimit } from "../core/types.ts";
import type {
  Backlog,
  Fence,
  ItemOutcome,
  PreparedPush,
  PushResult,
} from "../queue/ordered-queue.ts";
import { PartitionedQueue } from "../queue/partitioned-queue.ts";
import { Partitions } from "../queue/partitions.ts";
import { RateLimiter } from "./rate-limit.ts";
import { splitText } from "./split.ts";

export interface OutboxItem {
  address: Address;
  message: OutboundMessage;
  enqueuedAt: number;
}

export interface OutboxOptions {
  connection: Redis;
  prefix: string;
  /** QUEUE_PARTITIONS: each lane, its buckets and its unreachable mark under its partition. */
  partitions?: Partitions;
  channels: Channel[];
  logger?: Logger;
  concurrency?: number;
  lockDurationMs?: number;
  leaseMs?: number;
  /** Called after each successful send (metrics, latency benchmarks). */
  onSent?: (item: OutboxItem, messageId: string) => void;
  /** Called when a chat turns out to be unreachable (blocked the bot, deleted). */
  onUnreachable?: (address: Address, reason: string) => void;
  /** Called when a message is given up on (the platform refused it, or every bounded retry
   * failed): it is recorded in the failed list and a person must see it. */
  onFailed?: (item: OutboxItem, reason: string) => void;
  /** A job a dead process held was taken over here (metrics). */
  onTakeover?: (queue: string) => void;
  /** Called on every retry of a send (metrics: 429s, 5xx and network errors). */
  onRetry?: (kind: "rate_limited" | "transient", channel: string) => void;
}

/** Waits shorter than this are slept in place; longer ones free the worker (delayed job). */
const SLEEP_IN_PLACE_MS = 1_500;
const MAX_BACKOFF_MS = 60_000;
/** Every retry has a bound. A platform outage (5xx, network) is waited out for about a day;
 * an error that is not a platform's (a bug thrown from send) or a channel that never starts
 * in this deployment gets minutes, then a person is told. */
const MAX_TRANSIENT_ATTEMPTS = 1_500;
const MAX_UNEXPECTED_ATTEMPTS = 12;
const MAX_NO_CHANNEL_ATTEMPTS = 60;
/** 429s are waited out (the platform says how long), but not for ever either. */
const MAX_RATE_LIMITED_ATTEMPTS = 1_000;

export class Outbox {
  private readonly queue: PartitionedQueue<OutboxItem>;
  private readonly limiter: RateLimiter;
  private readonly channels: Map<string, Channel>;
  readonly partitions: Partitions;

  constructor(private readonly options: OutboxOptions) {
    this.channels = new Map(options.channels.map((c) => [c.name, c]));
    this.limiter = new RateLimiter(options.connection);
    this.partitions = options.partitions ?? new Partitions(options.prefix);
    this.queue = new PartitionedQueue<OutboxItem>({
      name: "outbox",
      connection: options.connection,
      prefix: options.prefix,
      partitions: this.partitions,
      logger: options.logger,
      concurrency: options.concurrency ?? 128,
      // Outbound ids come from replayed turns and re-run desk steps, both within the hour a
      // turn's full result is kept: six hours is ample, and the seen keys cost less.
      dedupeTtlSeconds: 6 * 3600,
      lockDurationMs: options.lockDurationMs,
      leaseMs: options.leaseMs,
      handler: (_group, item, meta) => this.deliver(item, meta),
      onTakeover: () => options.onTakeover?.("outbox"),
    });
  }

  /** The channel's lane of an address (Telegram: the chat, so a chat's topics share its order
   * and limit); unknown channels get one lane per chat. */
  laneOf(address: Address): string {
    const channel = this.channels.get(address.channel);
    return channel
      ? `${channel.name}:${channel.laneOf(address)}`
      : `${address.channel}:${address.chatId}`;
  }

  /** The Redis key of a lane's token bucket (the desk paces its posts into a lane by it too). */
  bucketKey(lane: string): string {
    return `${this.partitions.prefixOf(lane)}outbox:{${lane}}:bucket`;
  }

  /** Set while a chat cannot be written to (blocked the bot, deleted); a customer who writes
   * again is reachable again, so the intake deletes it with the record (deleteWhenAdded). */
  unreachableKey(address: Address): string {
    const lane = this.laneOf(address);
    return `${this.partitions.prefixOf(lane)}outbox:{${lane}}:unreachable`;
  }

  /**
   * Records a message for delivery. `id` must be stable for the same logical message (e.g. the
   * inbound event's idempotency key plus an index), so a replayed turn never sends it twice.
   */
  async enqueue(id: string, address: Address, message: OutboundMessage): Promise<PushResult[]> {
    const results: PushResult[] = [];
    for (const part of this.parts(id, address, message))
      results.push(await this.queue.push(part.lane, part.id, part.item));
    return results;
  }

  /**
   * The pushes that record messages inside another script (the turn's commit: its replies are
   * recorded together with the turn, or not at all). Each must be settled with that script's
   * codes, or abandoned (`settlePrepared`).
   */
  prepare(messages: { id: string; address: Address; message: OutboundMessage }[]): PreparedPush[] {
    return messages.flatMap(({ id, address, message }) =>
      this.parts(id, address, message).map((p) => this.queue.prepare(p.lane, p.id, p.item)),
    );
  }

  /** After the script ran (`codes`, one per prepared push) or did not (null). */
  async settlePrepared(prepared: PreparedPush[], codes: number[] | null): Promise<void> {
    if (!codes) {
      for (const p of prepared) this.queue.abandon(p);
      return;
    }
    await Promise.all(prepared.map((p, i) => this.queue.settle(p, codes[i] ?? 1)));
  }

  /** A message as the items it is sent in: split to the channel's length (media carries its own
   * caption; only text is split), everything but the text riding on the last part. */
  private parts(id: string, address: Address, message: OutboundMessage) {
    const channel = this.channels.get(address.channel);
    const texts =
      channel && !message.media
        ? splitText(message.text, channel.limits.textLength)
        : [message.text];
    const lane = this.laneOf(address);
    return texts.map((text, i) => ({
      lane,
      id: texts.length === 1 ? id : `${id}#${i + 1}`,
      item: {
        address,
        message: i === texts.length - 1 ? { ...message, text } : { text },
        enqueuedAt: Date.now(),
      } satisfies OutboxItem,
    }));
  }

  /** The per-chat limit of an address's channel (others pacing into the same lane use it too). */
  limitFor(address: Address): { burst: number; perSecond: number } {
    return this.channels.get(address.channel)?.limitFor(address) ?? { burst: 1, perSecond: 1 };
  }

  /** Why a chat is unreachable, if it is (shown to agents). */
  async unreachableReason(address: Address): Promise<string | null> {
    return this.options.connection.get(this.unreachableKey(address));
  }

  private async deliver(
    item: OutboxItem,
    { itemId, attempts, fence }: { itemId: string; attempts: number; fence: Fence },
  ): Promise<ItemOutcome> {
    const { address } = item;
    const channel = this.channels.get(address.channel);
    if (!channel) {
      const reason = `no channel "${address.channel}" is running in this deployment`;
      if (attempts + 1 >= MAX_NO_CHANNEL_ATTEMPTS) return this.giveUp(item, reason);
      return { type: "retry", afterMs: 5_000, reason };
    }
    const lane = this.laneOf(address);
    const chatBucket = this.bucketKey(lane);
    // The channel's limit for the whole bot is taken in the same script as the lane's token:
    // with partitions each has an equal share in its own slot (partitions.ts).
    const globalBucket = `${this.partitions.prefixOf(lane)}outbox:global:${channel.name}`;
    const globalLimit = shareOf(channel.globalLimit, this.partitions.count);
    for (;;) {
      const wait = await this.limiter.takeBoth(
        this.unreachableKey(address),
        chatBucket,
        channel.limitFor(address),
        globalBucket,
        globalLimit,
        fence,
      );
      // Checked with the token take, right before the send: a process paused past its lease
      // (SIGSTOP, a long GC) does not send what the lane's new holder sends.
      if (wait === -2) return { type: "lost" };
      if (wait === -1) return { type: "drop", reason: "chat is unreachable" };
      if (wait === 0) break;
      if (wait > SLEEP_IN_PLACE_MS) return { type: "retry", afterMs: wait, reason: "rate limit" };
      await sleep(wait);
    }

    try {
      const { messageId } = await channel.send(address, item.message, { idempotencyKey: itemId });
      this.options.onSent?.(item, messageId);
      return { type: "done" };
    } catch (err) {
      const unexpected = !(err instanceof DeliveryError);
      const failure = unexpected
        ? new DeliveryError("transient", (err as Error)?.message ?? String(err))
        : err;
      if (failure.kind === "rate_limited" && attempts + 1 >= MAX_RATE_LIMITED_ATTEMPTS)
        return this.giveUp(item, `gave up after ${attempts + 1} rate limits: ${failure.message}`);
      let tries = attempts;
      if (failure.kind === "transient") {
        // Counted apart from rate limits, per kind, so routine 429s never use up the bound.
        const failures = await this.countFailure(itemId, unexpected ? "bug" : "transient");
        const bound = unexpected ? MAX_UNEXPECTED_ATTEMPTS : MAX_TRANSIENT_ATTEMPTS;
        if (failures >= bound)
          return this.giveUp(item, `gave up after ${failures} failures: ${failure.message}`);
        tries = failures - 1;
      }
      const log = this.options.logger?.child({
        channel: channel.name,
        lane,
        attempts: tries,
        kind: failure.kind,
      });
      switch (failure.kind) {
        case "rate_limited": {
          const ms = failure.retryAfterMs ?? 1_000;
          await this.limiter.block(chatBucket, ms);
          this.options.onRetry?.("rate_limited", channel.name);
          log?.warn({ retryAfterMs: ms }, "rate limited by the platform; waiting");
          return { type: "retry", afterMs: ms, reason: failure.message };
        }
        case "transient": {
          const ms =
            Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(tries, 7)) * (0.8 + Math.random() * 0.4);
          log?.warn({ err: failure.message, retryInMs: Math.round(ms) }, "send failed; retrying");
          this.options.onRetry?.("transient", channel.name);
          return { type: "retry", afterMs: ms, reason: failure.message };
        }
        case "unreachable":
          await this.options.connection.set(
            this.unreachableKey(address),
            failure.message,
            "EX",
            30 * 86_400,
          );
          log?.warn({ err: failure.message }, "chat unreachable; its queued messages are dropped");
          this.options.onUnreachable?.(address, failure.message);
          return { type: "drop", reason: failure.message };
        case "rejected":
          // Not retried (it would be refused again), but never dropped silently: the listener
          // shows it to a person (the ticket's agents, or the events for metrics and alerts).
          log?.error({ err: failure.message }, "the platform rejected a message");
          return this.giveUp(item, failure.message);
      }
    }
  }

  private async countFailure(itemId: string, kind: string): Promise<number> {
    const key = `${this.options.prefix}outbox:failures:${kind}:${itemId}`;
    const replies = await this.options.connection
      .multi()
      .incr(key)
      .expire(key, 2 * 86_400)
      .exec();
    return Number(replies?.[0]?.[1] ?? 1);
  }

  /** Records a message that will not be delivered and tells whoever listens; never silent. */
  private async giveUp(item: OutboxItem, reason: string): Promise<ItemOutcome> {
    const key = `${this.options.prefix}outbox:failed`;
    await this.options.connection
      .multi()
      .lpush(key, JSON.stringify({ at: Date.now(), reason, item }))
      .ltrim(key, 0, 9_999)
      .exec();
    this.options.onFailed?.(item, reason);
    return { type: "drop", reason };
  }

  /** Chat lanes with unfinished work, and the age of the oldest such work (metrics). */
  backlog(): Promise<Backlog> {
    return this.queue.backlog();
  }

  /** The BullMQ queues behind the outbox, one per partition (for dashboards). */
  get bullQueues() {
    return this.queue.queues;
  }

  close(force = false): Promise<void> {
    return this.queue.close(force);
  }
}

/** One of `n` equal shares of a rate limit (at least one message in a burst). */
function shareOf(limit: RateLimit, n: number): RateLimit {
  if (n === 1) return limit;
  return { burst: Math.max(1, Math.floor(limit.burst / n)), perSecond: limit.perSecond / n };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
