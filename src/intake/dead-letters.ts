// Customer events that could not be processed, kept where a person reads them
// (`frontline deadletters list|show|replay`) instead of only in a log line.
import type { Redis } from "ioredis";
import type { InboundEvent } from "../core/types.ts";

export interface DeadLetter {
  id: string;
  at: number;
  reason: string;
  event: InboundEvent;
}

/** The list is bounded: the oldest entries go first once it holds this many. */
const MAX_ENTRIES = 10_000;

export class DeadLetters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get index(): string {
    return `${this.prefix}deadletters`;
  }
  private entryKey(id: string): string {
    return `${this.prefix}deadletter:${id}`;
  }

  /** Idempotent per event: adding the same event again keeps one entry. */
  async add(event: InboundEvent, reason: string): Promise<string> {
    const id = String(event.idempotencyKey ?? "unknown").replace(/[^\w:.-]/g, "_");
    const at = Date.now();
    const entry: DeadLetter = { id, at, reason, event };
    const added = await this.redis.set(this.entryKey(id), JSON.stringify(entry), "NX");
    if (added) {
      await this.redis.zadd(this.index, String(at), id);
      const extra = (await this.redis.zcard(this.index)) - MAX_ENTRIES;
      if (extra > 0) {
        const old = await this.redis.zrange(this.index, "0", String(extra - 1));
        await this.redis
          .multi()
          .zrem(this.index, ...old)
          .del(...old.map((o) => this.entryKey(o)))
          .exec();
      }
    }
    return id;
  }

  /** Newest first. */
  async list(limit = 50): Promise<DeadLetter[]> {
    const ids = await this.redis.zrevrange(this.index, 0, limit - 1);
    const entries = await Promise.all(ids.map((id) => this.get(id)));
    return entries.filter((e): e is DeadLetter => e !== null);
  }

  async get(id: string): Promise<DeadLetter | null> {
    const json = await this.redis.get(this.entryKey(id));
    return json ? (JSON.parse(json) as DeadLetter) : null;
  }

  /** Removes and returns an entry (to replay it). */
  async take(id: string): Promise<DeadLetter | null> {
    const entry = await this.get(id);
    if (!entry) return null;
    await this.redis.multi().zrem(this.index, id).del(this.entryKey(id)).exec();
    return entry;
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.index);
  }
}
