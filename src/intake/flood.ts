// Flood control: a per-customer token bucket in Redis (shared by every replica). Messages
// beyond it are not answered one by one: they are kept (coalesced) and ride along with the
// customer's next message within the limit, so a burst of 200 costs one polite notice instead
// of 200 answers, and the customer's next real question is not stuck behind their own spam.
import type { Redis } from "ioredis";
import type { InboundEvent, MediaRef } from "../core/types.ts";

export interface FloodLimit {
  /** Messages at once. */
  burst: number;
  /** Sustained messages per minute. */
  perMinute: number;
}

export const DEFAULT_FLOOD_LIMIT: FloodLimit = { burst: 10, perMinute: 20 };
/** Coalesced messages kept per customer; older ones go first (their count is still told). */
const KEPT = 50;

// KEYS: bucket, coalesced list, notice flag  ARGV: burst, per ms, entry JSON, keep
// → {1, list...} within the limit (with the coalesced entries to merge);
//   {0, notify, first} flooded: kept; first = the list was empty (a flush must be scheduled)
const GATE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local tokens = math.min(burst, tonumber(b[1] or ARGV[1]) + (now - tonumber(b[2] or now)) * rate)
if tokens >= 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', now)
  redis.call('PEXPIRE', KEYS[1], 3600000)
  local kept = redis.call('LRANGE', KEYS[2], 0, -1)
  return {1, unpack(kept)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
local length = redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', KEYS[2], 86400000)
local notify = redis.call('SET', KEYS[3], '1', 'NX', 'PX', 60000) and 1 or 0
return {0, notify, length == 1 and 1 or 0}`;

interface Kept {
  text: string;
  media?: MediaRef;
}

export type FloodVerdict =
  | { type: "pass"; event: InboundEvent; merged: number }
  /** Kept for later; `flush`: schedule the event that answers the kept messages together. */
  | { type: "coalesced"; notify: boolean; flush: InboundEvent | null };

export class FloodGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limit: FloodLimit = DEFAULT_FLOOD_LIMIT,
  ) {
    if (!(redis as unknown as { frontlineFloodGate?: unknown }).frontlineFloodGate)
      redis.defineCommand("frontlineFloodGate", { numberOfKeys: 3, lua: GATE });
  }

  private keys(conversationKey: string) {
    const base = `${this.prefix}flood:{${conversationKey}}`;
    return { bucket: `${base}:bucket`, kept: `${base}:kept`, notice: `${base}:notice` };
  }

  /** One round trip: within the limit, the event with any coalesced messages merged in front. */
  async check(event: InboundEvent): Promise<FloodVerdict> {
    if (event.type !== "message" && event.type !== "edit")
      return { type: "pass", event, merged: 0 };
    const k = this.keys(event.conversationKey);
    if (event.type === "message" && event.flush) return this.flushing(event, k.kept);
    const entry: Kept = {
      text: event.text,
      ...(event.type === "message" && event.attachments?.[0]
        ? { media: event.attachments[0] }
        : {}),
    };
    const reply = (await (
      this.redis as unknown as { frontlineFloodGate(...a: string[]): Promise<(number | string)[]> }
    ).frontlineFloodGate(
      k.bucket,
      k.kept,
      k.notice,
      String(this.limit.burst),
      String(this.limit.perMinute / 60_000),
      JSON.stringify(entry),
      String(KEPT),
    )) as [number, ...string[]];
    if (reply[0] === 0) {
      const flush: InboundEvent | null =
        Number(reply[2]) === 1
          ? {
              type: "message",
              flush: true,
              text: "",
              idempotencyKey: `${event.idempotencyKey}:flush`,
              conversationKey: event.conversationKey,
              address: event.address,
              user: event.user,
              at: event.at,
            }
          : null;
      return { type: "coalesced", notify: Number(reply[1]) === 1, flush };
    }
    return this.merge(
      event,
      (reply.slice(1) as string[]).map((j) => JSON.parse(j) as Kept),
    );
  }

  /** The scheduled flush: the kept messages, answered together (no token: they were counted). */
  private async flushing(event: InboundEvent, key: string): Promise<FloodVerdict> {
    const kept = (await this.redis.lrange(key, 0, -1)).map((j) => JSON.parse(j) as Kept);
    if (kept.length === 0) return { type: "coalesced", notify: false, flush: null };
    return this.merge(event, kept);
  }

  private merge(event: InboundEvent & { text?: string }, kept: Kept[]): FloodVerdict {
    if (kept.length === 0 || (event.type !== "message" && event.type !== "edit"))
      return { type: "pass", event, merged: 0 };
    const text = [...kept.map((m) => m.text), event.text].filter((t) => t.trim()).join("\n");
    const keptMedia = kept.find((m) => m.media)?.media;
    const attachments =
      event.type === "message"
        ? (event.attachments ?? (keptMedia ? [keptMedia] : undefined))
        : undefined;
    const merged: InboundEvent =
      event.type === "message"
        ? { ...event, text, flush: false, ...(attachments ? { attachments } : {}) }
        : { ...event, text };
    return { type: "pass", event: merged, merged: kept.length };
  }

  /** After the merged event was handled: the coalesced messages are consumed. */
  async consumed(conversationKey: string): Promise<void> {
    await this.redis.del(this.keys(conversationKey).kept);
  }
}
