// Flood control: a per-customer token bucket in Redis (shared by every replica). Messages
// beyond it are not answered one by one: they are kept (coalesced) and answered together with
// the next message within the limit, or by a flush the first kept message schedules, so a
// burst of 200 costs one polite notice and one answer instead of 200, and the customer's next
// real question is not stuck behind their own spam.
//
// Idempotent per event: the gate's verdict is remembered by idempotency key, so a re-run (a
// retry, a crash) gets the same verdict and merges the same kept messages; consuming them is
// a script keyed the same way.
import type { Redis } from "ioredis";
import type { InboundEvent, MediaRef } from "../core/types.ts";
import { Partitions } from "../queue/partitions.ts";

export interface FloodLimit {
  /** Messages at once. */
  burst: number;
  /** Sustained messages per minute. */
  perMinute: number;
}

export const DEFAULT_FLOOD_LIMIT: FloodLimit = { burst: 10, perMinute: 20 };
/** Coalesced messages kept per customer; older ones go first. */
const KEPT = 50;
/** Verdicts are remembered this long: far beyond any retry of the same event. */
const VERDICT_TTL_SECONDS = 3600;

// KEYS: bucket, kept list, notice flag, verdict  ARGV: burst, per ms, entry, keep, ttl, flush
// → {"pass", n, entries...}: within the limit, merge the first n kept entries;
//   {"kept", first, notify}: kept back; first = schedule the flush; notify = send the notice.
// A remembered verdict is returned as it was (with the same entries while not consumed).
const GATE = `
local v = redis.call('GET', KEYS[4])
if v then
  local kind, a, b = string.match(v, '^(%a+):(%d+):?(%d*)$')
  if kind == 'pass' then
    local n = tonumber(a)
    if n == 0 then return {'pass', 0} end
    return {'pass', n, unpack(redis.call('LRANGE', KEYS[2], 0, n - 1))}
  end
  if kind == 'done' then return {'pass', 0} end
  return {'kept', tonumber(a), tonumber(b)}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pass = ARGV[6] == '1'
if not pass then
  local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
  local burst = tonumber(ARGV[1])
  local tokens = math.min(burst, tonumber(b[1] or ARGV[1]) + (now - tonumber(b[2] or now)) * tonumber(ARGV[2]))
  pass = tokens >= 1
  redis.call('HSET', KEYS[1], 'tokens', tostring(pass and tokens - 1 or tokens), 'ts', now)
  redis.call('PEXPIRE', KEYS[1], 3600000)
end
if pass then
  local n = redis.call('LLEN', KEYS[2])
  redis.call('SET', KEYS[4], 'pass:' .. n, 'EX', ARGV[5])
  if n == 0 then return {'pass', 0} end
  return {'pass', n, unpack(redis.call('LRANGE', KEYS[2], 0, n - 1))}
end
local length = redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', KEYS[2], 86400000)
local notify = redis.call('SET', KEYS[3], '1', 'NX', 'PX', 60000) and 1 or 0
local first = length == 1 and 1 or 0
redis.call('SET', KEYS[4], 'kept:' .. first .. ':' .. notify, 'EX', ARGV[5])
return {'kept', first, notify}`;

// KEYS: kept list, verdict → drops the n entries a "pass:n" verdict merged, once.
const CONSUME = `
local v = redis.call('GET', KEYS[2])
local n = v and tonumber(string.match(v, '^pass:(%d+)$'))
if n and n > 0 then redis.call('LTRIM', KEYS[1], n, -1) end
if n then redis.call('SET', KEYS[2], 'done:0', 'KEEPTTL') end
return 1`;

interface Kept {
  text: string;
  media?: MediaRef[];
}

export type FloodVerdict =
  | { type: "pass"; event: InboundEvent; merged: number }
  /** Kept for later; `flush`: the event that answers the kept messages together. */
  | { type: "coalesced"; notify: boolean; flush: InboundEvent | null };

interface FloodCommands {
  frontlineFloodGate(...args: string[]): Promise<(string | number)[]>;
  frontlineFloodConsume(...args: string[]): Promise<number>;
}

export class FloodGuard {
  private readonly redis: Redis & FloodCommands;

  private readonly partitions: Partitions;

  constructor(
    redis: Redis,
    /** REDIS_PREFIX, or the partitions (each conversation's gate under its partition). */
    prefix: string | Partitions,
    private readonly limit: FloodLimit = DEFAULT_FLOOD_LIMIT,
  ) {
    this.partitions = typeof prefix === "string" ? new Partitions(prefix) : prefix;
    this.redis = redis as Redis & FloodCommands;
    if (!this.redis.frontlineFloodGate) {
      redis.defineCommand("frontlineFloodGate", { numberOfKeys: 4, lua: GATE });
      redis.defineCommand("frontlineFloodConsume", { numberOfKeys: 2, lua: CONSUME });
    }
  }

  private keys(event: InboundEvent) {
    const base = `${this.partitions.prefixOf(event.conversationKey)}flood:{${event.conversationKey}}`;
    return {
      bucket: `${base}:bucket`,
      kept: `${base}:kept`,
      notice: `${base}:notice`,
      verdict: `${base}:verdict:${event.idempotencyKey}`,
    };
  }

  /** One round trip: within the limit, the event with any kept messages merged in front. */
  async check(event: InboundEvent): Promise<FloodVerdict> {
    if (event.type !== "message" && event.type !== "edit")
      return { type: "pass", event, merged: 0 };
    const k = this.keys(event);
    const media = event.type === "message" ? event.attachments : undefined;
    const entry: Kept = { text: event.text, ...(media?.length ? { media } : {}) };
    const flush = event.type === "message" && event.flush === true;
    const reply = await this.redis.frontlineFloodGate(
      k.bucket,
      k.kept,
      k.notice,
      k.verdict,
      String(this.limit.burst),
      String(this.limit.perMinute / 60_000),
      JSON.stringify(entry),
      String(KEPT),
      String(VERDICT_TTL_SECONDS),
      flush ? "1" : "0",
    );
    if (reply[0] === "kept")
      return {
        type: "coalesced",
        notify: Number(reply[2]) === 1,
        flush: Number(reply[1]) === 1 ? flushFor(event) : null,
      };
    const kept = (reply.slice(2) as string[]).map((j) => JSON.parse(j) as Kept);
    // A flush with nothing left to carry (a message within the limit took them): nothing to do.
    if (flush && kept.length === 0) return { type: "coalesced", notify: false, flush: null };
    return { type: "pass", event: merge(event, kept), merged: kept.length };
  }

  /** After the merged event was handled: the kept messages it carried are gone, once. */
  async consumed(event: InboundEvent): Promise<void> {
    const k = this.keys(event);
    await this.redis.frontlineFloodConsume(k.kept, k.verdict);
  }
}

/** The event that answers the kept messages once the burst has been taken in. */
function flushFor(event: InboundEvent): InboundEvent {
  return {
    type: "message",
    flush: true,
    text: "",
    idempotencyKey: `${event.idempotencyKey}:flush`,
    conversationKey: event.conversationKey,
    address: event.address,
    user: event.user,
    at: event.at,
  };
}

/** The kept messages in front of this one, in order: texts joined, every media carried. */
function merge(event: InboundEvent, kept: Kept[]): InboundEvent {
  if (kept.length === 0 || (event.type !== "message" && event.type !== "edit")) return event;
  const text = [...kept.map((m) => m.text), event.text].filter((t) => t.trim()).join("\n");
  if (event.type === "edit") return { ...event, text };
  const attachments = [...kept.flatMap((m) => m.media ?? []), ...(event.attachments ?? [])];
  return { ...event, text, flush: false, ...(attachments.length ? { attachments } : {}) };
}
