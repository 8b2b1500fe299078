// QUEUE_PARTITIONS: how one bot's per-chat work spreads over a Redis Cluster's primaries.
//
// With one partition (the default) every key lives under REDIS_PREFIX as it always did; on a
// Cluster the prefix's hash tag ({fl}:) keeps them in one slot. With N partitions each chat's
// keys (its intake inbox, conversation state, flood gate, outbox lane, send buckets) live
// under its partition's prefix instead, whose hash tag is the prefix's with the partition's
// number ({fl}: → {fl:p3}:), and each partition has its own BullMQ queues there. Scripts that
// join a chat's keys with its queue's bookkeeping (the claims and active sets) still find all
// of them in one slot, while the N partitions land on different slots, so on different nodes.
// What is not per chat (tickets, dead letters, the list of chats) stays under the prefix.
import type { Redis } from "ioredis";
import { FrontlineError } from "../core/errors.ts";

export class Partitions {
  readonly count: number;
  /** Each partition's key prefix, made once: keys are built several times per message. */
  private readonly byIndex: string[];

  constructor(
    /** REDIS_PREFIX. */
    readonly prefix: string,
    count = 1,
  ) {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`partitions must be a whole number ≥ 1, got ${count}`);
    this.count = count;
    const tagged = /^([^{]*)\{([^}]+)\}(.*)$/s.exec(prefix);
    this.byIndex = Array.from({ length: count }, (_, i) => {
      if (count === 1) return prefix;
      return tagged ? `${tagged[1]}{${tagged[2]}:p${i}}${tagged[3]}` : `${prefix}p${i}:`;
    });
  }

  /** Which partition a group (a conversation, a chat lane) belongs to: the same in every process. */
  indexOf(group: string): number {
    return this.count === 1 ? 0 : fnv1a(group) % this.count;
  }

  /** The key prefix of partition `index`: the prefix itself when there is one partition. */
  prefixAt(index: number): string {
    const at = this.byIndex[index];
    if (at === undefined) throw new Error(`no partition ${index} of ${this.count}`);
    return at;
  }

  /** The key prefix of the group's partition. */
  prefixOf(group: string): string {
    return this.prefixAt(this.indexOf(group));
  }

  /** Every partition's prefix, in order. */
  prefixes(): string[] {
    return [...this.byIndex];
  }
}

/** 32-bit FNV-1a: cheap, stable across processes and versions, spreads short ids well. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Where the count a bot's data was laid out for is kept (under the prefix, in its slot). */
export function layoutKey(prefix: string): string {
  return `${prefix}partitions`;
}

/**
 * The partition count the data under `prefix` was laid out for: the recorded one; else 1 when
 * the prefix already holds a bot's data (it was started before partitions existed); else null
 * (nothing there yet).
 */
export async function storedPartitionCount(redis: Redis, prefix: string): Promise<number | null> {
  const [stored, legacy] = await Promise.all([
    redis.get(layoutKey(prefix)),
    redis.exists(`${prefix}chats:seen`, `${prefix}intake:claims`, `${prefix}outbox:claims`),
  ]);
  if (stored !== null) return Number(stored);
  return legacy > 0 ? 1 : null;
}

/**
 * Records `count` for a prefix without data, or refuses one that differs from the data's
 * (conversations, including who is with an agent, and queued work would be orphaned). Run it
 * before any queue starts: a worker of the wrong layout would serve the other layout's groups.
 */
export async function claimPartitionLayout(
  redis: Redis,
  prefix: string,
  count: number,
): Promise<void> {
  let stored = await storedPartitionCount(redis, prefix);
  // Recorded only if not yet (a first start, or data from before partitions: its 1), and read
  // back: of two first starts with different counts, the second is refused.
  await redis.set(layoutKey(prefix), String(stored ?? count), "NX");
  if (stored === null) stored = Number(await redis.get(layoutKey(prefix)));
  if (stored !== count)
    throw new FrontlineError(
      "FL_ERR_CONFIG",
      `QUEUE_PARTITIONS is ${count}, but the data under REDIS_PREFIX=${prefix} is laid out for ${stored}; set QUEUE_PARTITIONS=${stored} again (changing it would orphan conversations and queued work), or start a new layout under another REDIS_PREFIX`,
    );
}

/** The partitions of the data under `prefix` for a command that reads it (the CLI): the
 * recorded layout, whatever this shell's QUEUE_PARTITIONS says (`configured` when none). */
export async function dataPartitions(
  redis: Redis,
  prefix: string,
  configured: number,
): Promise<Partitions> {
  return new Partitions(prefix, (await storedPartitionCount(redis, prefix)) ?? configured);
}
