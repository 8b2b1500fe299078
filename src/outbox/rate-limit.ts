// Token buckets in Redis, shared by every replica: one per chat and one per channel.
// Time comes from Redis (TIME), so replicas with skewed clocks agree.
import type { Redis } from "ioredis";
import type { RateLimit } from "../core/types.ts";
import type { Fence } from "../queue/ordered-queue.ts";

// KEYS[1] bucket  ARGV: burst, perSecond → 0 when a send may go now, else ms to wait
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'blocked')
local blocked = tonumber(b[3] or '0')
if blocked > now then return blocked - now end
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local tokens = tonumber(b[1] or ARGV[1])
local ts = tonumber(b[2] or now)
tokens = math.min(burst, tokens + (now - ts) * rate)
if tokens < 1 then return math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', now)
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0`;

// KEYS: gate (a key whose presence forbids sending), chat bucket, channel bucket, the lane's
// lease  ARGV: chat burst, chat per second, channel burst, channel per second, lease token
// → -2 the lease is no longer ours; -1 gate closed; 0 one token taken from both buckets; else
// ms to wait (nothing taken). One script for all the checks: one round trip per send.
const TAKE_BOTH = `
if redis.call('GET', KEYS[4]) ~= ARGV[5] then return -2 end
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function level(key, burstArg, rateArg)
  local b = redis.call('HMGET', key, 'tokens', 'ts', 'blocked')
  local blocked = tonumber(b[3] or '0')
  if blocked > now then return nil, blocked - now end
  local burst = tonumber(burstArg)
  local rate = tonumber(rateArg) / 1000
  local tokens = math.min(burst, tonumber(b[1] or burstArg) + (now - tonumber(b[2] or now)) * rate)
  if tokens < 1 then return nil, math.ceil((1 - tokens) / rate) end
  return tokens, 0
end
local chat, chatWait = level(KEYS[2], ARGV[1], ARGV[2])
local all, allWait = level(KEYS[3], ARGV[3], ARGV[4])
if not chat or not all then return math.max(chatWait, allWait) end
redis.call('HSET', KEYS[2], 'tokens', tostring(chat - 1), 'ts', now)
redis.call('PEXPIRE', KEYS[2], 3600000)
redis.call('HSET', KEYS[3], 'tokens', tostring(all - 1), 'ts', now)
redis.call('PEXPIRE', KEYS[3], 3600000)
return 0`;

// KEYS[1] bucket  ARGV: ms → nobody sends through this bucket for that long (a 429's retry_after)
const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'blocked', now + tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], 3600000 + tonumber(ARGV[1]))
return 1`;

interface BucketCommands {
  bucketTake(key: string, burst: string, perSecond: string): Promise<number>;
  bucketTakeBoth(
    gate: string,
    chat: string,
    all: string,
    lease: string,
    chatBurst: string,
    chatRate: string,
    allBurst: string,
    allRate: string,
    leaseToken: string,
  ): Promise<number>;
  bucketBlock(key: string, ms: string): Promise<number>;
}

export class RateLimiter {
  private readonly redis: Redis & BucketCommands;

  constructor(redis: Redis) {
    const r = redis as Redis & Partial<BucketCommands>;
    if (!r.bucketTake) {
      redis.defineCommand("bucketTake", { numberOfKeys: 1, lua: TAKE });
      redis.defineCommand("bucketTakeBoth", { numberOfKeys: 4, lua: TAKE_BOTH });
      redis.defineCommand("bucketBlock", { numberOfKeys: 1, lua: BLOCK });
    }
    this.redis = redis as Redis & BucketCommands;
  }

  /** 0 when a token was taken, else how long to wait before asking again. */
  take(key: string, limit: RateLimit): Promise<number> {
    return this.redis.bucketTake(key, String(limit.burst), String(limit.perSecond));
  }

  /** -2 when the lease is not `fence`'s any more; -1 when `gate` exists; 0 when a token was
   * taken from both buckets; else ms to wait. */
  takeBoth(
    gate: string,
    chat: string,
    chatLimit: RateLimit,
    all: string,
    allLimit: RateLimit,
    fence: Fence,
  ): Promise<number> {
    return this.redis.bucketTakeBoth(
      gate,
      chat,
      all,
      fence.lease,
      String(chatLimit.burst),
      String(chatLimit.perSecond),
      String(allLimit.burst),
      String(allLimit.perSecond),
      fence.token,
    );
  }

  block(key: string, ms: number): Promise<number> {
    return this.redis.bucketBlock(key, String(Math.ceil(ms)));
  }
}
