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

export class Partitions {
  readonly count: number;

  constructor(
    /** REDIS_PREFIX. */
    readonly prefix: string,
    count = 1,
  ) {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`partitions must be a whole number ≥ 1, got ${count}`);
    this.count = count;
  }

  /** Which partition a group (a conversation, a chat lane) belongs to: the same in every process. */
  indexOf(group: string): number {
    return this.count === 1 ? 0 : fnv1a(group) % this.count;
  }

  /** The key prefix of partition `index`: the prefix itself when there is one partition. */
  prefixAt(index: number): string {
    if (this.count === 1) return this.prefix;
    const tagged = /^([^{]*)\{([^}]+)\}(.*)$/s.exec(this.prefix);
    return tagged ? `${tagged[1]}{${tagged[2]}:p${index}}${tagged[3]}` : `${this.prefix}p${index}:`;
  }

  /** The key prefix of the group's partition. */
  prefixOf(group: string): string {
    return this.prefixAt(this.indexOf(group));
  }

  /** Every partition's prefix, in order. */
  prefixes(): string[] {
    return Array.from({ length: this.count }, (_, i) => this.prefixAt(i));
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
