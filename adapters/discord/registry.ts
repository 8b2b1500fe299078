// The conversation channels the adapter knows (customers' DMs, support threads, ticket threads)
// with the last message recorded in each: what a REST backfill reads from when Discord refuses
// to RESUME. And the private support thread each customer has per server.
import type { Redis } from "ioredis";

export type ChannelRole = "dm" | "support" | "ticket";

// KEYS[1] last-ids hash, KEYS[2] seen zset; ARGV: channel, message id, role, now.
// Snowflakes compare by length, then as strings: a late write never moves an id backwards.
const NOTE = `local old = redis.call('HGET', KEYS[1], ARGV[1])
local id = ARGV[2]
if old then
  local oid = string.match(old, '^[^|]*')
  if #oid > #id or (#oid == #id and oid >= id) then id = oid end
end
redis.call('HSET', KEYS[1], ARGV[1], id .. '|' .. ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1`;

export interface KnownChannel {
  channelId: string;
  lastMessageId: string;
  role: ChannelRole;
}

/** Snowflake order (ids are decimal strings of up to 20 digits). */
export function snowflakeAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

export class ChannelRegistry {
  // One hash tag: the two keys are written together by one script.
  private readonly last: string;
  private readonly seen: string;
  private readonly supportThreads: string;
  private readonly threadOwners: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.last = `${prefix}{channels}:last`;
    this.seen = `${prefix}{channels}:seen`;
    this.supportThreads = `${prefix}{support}:threads`;
    this.threadOwners = `${prefix}{support}:owners`;
  }

  async note(channelId: string, messageId: string, role: ChannelRole): Promise<void> {
    await this.redis.eval(NOTE, 2, this.last, this.seen, channelId, messageId, role, Date.now());
  }

  /** Channels with activity since `sinceMs`, with their last recorded message. */
  async active(sinceMs: number): Promise<KnownChannel[]> {
    const ids = await this.redis.zrangebyscore(this.seen, sinceMs, "+inf");
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(this.last, ...ids);
    return ids.flatMap((channelId, i) => {
      const [lastMessageId, role] = (values[i] ?? "").split("|");
      return lastMessageId
        ? [{ channelId, lastMessageId, role: (role as ChannelRole) ?? "dm" }]
        : [];
    });
  }

  async forget(channelId: string): Promise<void> {
    await this.redis.multi().hdel(this.last, channelId).zrem(this.seen, channelId).exec();
  }

  /** Drops channels quiet since before `beforeMs` (they are no longer backfilled). */
  async trim(beforeMs: number): Promise<void> {
    const old = await this.redis.zrangebyscore(this.seen, "-inf", `(${beforeMs}`);
    if (old.length === 0) return;
    await this.redis
      .multi()
      .hdel(this.last, ...old)
      .zremrangebyscore(this.seen, "-inf", `(${beforeMs}`)
      .exec();
  }

  async supportThreadOf(guildId: string, userId: string): Promise<string | null> {
    return this.redis.hget(this.supportThreads, `${guildId}:${userId}`);
  }

  async ownerOf(threadId: string): Promise<string | null> {
    return this.redis.hget(this.threadOwners, threadId);
  }

  async rememberSupportThread(guildId: string, userId: string, threadId: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.supportThreads, `${guildId}:${userId}`, threadId)
      .hset(this.threadOwners, threadId, userId)
      .exec();
  }

  async forgetSupportThread(guildId: string, userId: string, threadId: string): Promise<void> {
    await this.redis
      .multi()
      .hdel(this.supportThreads, `${guildId}:${userId}`)
      .hdel(this.threadOwners, threadId)
      .exec();
  }
}
