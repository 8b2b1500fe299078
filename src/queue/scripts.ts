// The Redis scripts behind the ordered queue. Per group: an inbox list (in order), a set of the
// ids still in it (to tell a duplicate still pending from one already done), a seen key per id
// (dedupe window) and a lease (who drains it now). Per queue: `claims`, the groups with work,
// scored by when their lease runs out (a sweeper revives the ones past it: their holder died),
// and `active`, the same groups scored by when their current head began to wait (backlog metrics).
//
// Times come from the server's clock (TIME), so replicas with skewed clocks agree on expiry.
// `redis.replicate_commands()` makes TIME usable before writes on Redis 6.2 (a no-op from 7).
import type { Redis } from "ioredis";

// Every script starts with this: the server's time, and the two steps several scripts share.
export const NOW = `
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- the lease is the token's for ms, and the group's claim runs out with it
local function hold_for(lease, token, ms, claims, group)
  redis.call('SET', lease, token, 'PX', ms)
  redis.call('ZADD', claims, now + tonumber(ms), group)
end
-- nothing left to do: no lease, no claim, no backlog entry
local function idle(lease, claims, active, group)
  redis.call('DEL', lease)
  redis.call('ZREM', claims, group)
  redis.call('ZREM', active, group)
end`;

// Records an item (the heart of every push; the turn's commit runs it for its replies too).
// → 0 duplicate, done; 2 duplicate, still pending; 1 added behind work already under way;
//   3 added to an idle group and claimed with the token: the caller drains it now;
//   4 added to an idle group that the caller could not claim (token ''): it must add a job (if
//     it dies first, a redelivery adds it, or a sweep after the unclaimed time, the ms a job may
//     wait in BullMQ before a sweep adds another)
export const PUSH_FUNCTION = `
local function push(seen, inbox, pending, lease, claims, active, id, payload, ttl, group, token, lease_ms, unclaimed_ms)
  if not redis.call('SET', seen, '1', 'NX', 'EX', ttl) then
    return redis.call('SISMEMBER', pending, id) == 1 and 2 or 0
  end
  redis.call('SADD', pending, id)
  if redis.call('RPUSH', inbox, payload) > 1 then return 1 end
  redis.call('ZADD', active, now, group)
  if token ~= '' and redis.call('SET', lease, token, 'NX', 'PX', lease_ms) then
    redis.call('ZADD', claims, now + tonumber(lease_ms), group)
    return 3
  end
  redis.call('ZADD', claims, now + tonumber(unclaimed_ms), group)
  return 4
end`;

// KEYS: seen, inbox, pending, lease, claims, active, then the extras ARGV[8] names
// ARGV: itemId, payload, dedupe ttl (s), group, token ('' = do not claim), lease ms, unclaimed
//       ms; extras: 'p' a hash to read (fields in ARGV[9..]) when the push claimed, 'c' a key to
//       delete when the item is new, 'pc' both (in that order)
// → {code} (codes as push above), with the read fields after the code when it read them
const PUSH = `${NOW}${PUSH_FUNCTION}
local code = push(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
local extras = ARGV[8] or ''
local next_key = 7
local read
if string.find(extras, 'p', 1, true) then
  if code == 3 then read = redis.call('HMGET', KEYS[next_key], unpack(ARGV, 9)) end
  next_key = next_key + 1
end
if string.find(extras, 'c', 1, true) and code ~= 0 and code ~= 2 then redis.call('DEL', KEYS[next_key]) end
if read then
  table.insert(read, 1, code)
  return read
end
return {code}`;

// KEYS: lease, inbox, claims, active  ARGV: token, lease ms, group, hold token ('' if none)
// → {0} another holder drains it; {2} nothing to do; {1, head} lease taken, first item.
// A group held by another is claimed if it was not (work left by a version that kept no
// claims), so a sweep revives it should that holder be dead.
const START = `${NOW}
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[4] then
  redis.call('ZADD', KEYS[3], 'NX', now + math.max(redis.call('PTTL', KEYS[1]), 0), ARGV[3])
  redis.call('ZADD', KEYS[4], 'NX', now, ARGV[3])
  return {0}
end
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then
  idle(KEYS[1], KEYS[3], KEYS[4], ARGV[3])
  return {2}
end
hold_for(KEYS[1], ARGV[1], ARGV[2], KEYS[3], ARGV[3])
return {1, head}`;

// KEYS: lease, claims  ARGV: token, lease ms, group → 1 renewed, 0 lost. A lease that ran out is
// never taken back: another holder may have served the group meanwhile and let it go, and a
// retaken lease would let this one's fenced send repeat what that holder sent.
const RENEW = `${NOW}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
hold_for(KEYS[1], ARGV[1], ARGV[2], KEYS[2], ARGV[3])
return 1`;

// KEYS: lease, inbox, pending, claims, active  ARGV: token, itemId, lease ms, group
// → {-1} lease lost; {0} inbox empty and the group released; {1, next head, popped} lease
// renewed (popped = 1: the item was this one's to acknowledge, so the next head never ran).
// `active` is rescored at every pop: it tells how long the group's current head has waited.
// Releasing in the same script as the emptiness check leaves no gap: an item pushed a moment
// later finds the group idle and claims it.
const ACK_NEXT = `${NOW}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
local head = redis.call('LINDEX', KEYS[2], 0)
local popped = 0
if head and cjson.decode(head).id == ARGV[2] then
  redis.call('LPOP', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[2])
  popped = 1
end
local following = redis.call('LINDEX', KEYS[2], 0)
if not following then
  idle(KEYS[1], KEYS[4], KEYS[5], ARGV[4])
  return {0}
end
hold_for(KEYS[1], ARGV[1], ARGV[3], KEYS[4], ARGV[4])
if popped == 1 then redis.call('ZADD', KEYS[5], now, ARGV[4]) end
return {1, following, popped}`;

// KEYS: lease, inbox, claims  ARGV: token, itemId, hold ms, head with attempts + 1 (encoded by
// the caller: cjson would turn empty arrays into objects), hold token, lease ms, group
// → 1 held (the group is closed under the hold token until a delayed job resumes it; if that
// job is never added, the claim runs out and the sweeper revives the group), 0 lease/head changed
const HOLD = `${NOW}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local head = redis.call('LINDEX', KEYS[2], 0)
if not head or cjson.decode(head).id ~= ARGV[2] then return 0 end
redis.call('LSET', KEYS[2], 0, ARGV[4])
hold_for(KEYS[1], ARGV[5], tonumber(ARGV[3]) + tonumber(ARGV[6]), KEYS[3], ARGV[7])
return 1`;

// KEYS: claims  ARGV: limit → groups whose claim ran out
const EXPIRED = `${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))`;

// KEYS: lease, inbox, claims, active  ARGV: group, lease ms, unclaimed ms
// → the expired score when the group needs a new drainer, else false. Its claim is pushed on by
// the unclaimed time, so sweeps leave it alone while the job waits its turn in a busy BullMQ
// (the job's start claims it for a lease).
const REVIVE = `${NOW}
local score = redis.call('ZSCORE', KEYS[3], ARGV[1])
if not score or tonumber(score) > now then return false end
local left = redis.call('PTTL', KEYS[1])
if left > 0 then
  redis.call('ZADD', KEYS[3], now + left, ARGV[1])
  return false
end
if redis.call('LLEN', KEYS[2]) == 0 then
  idle(KEYS[1], KEYS[3], KEYS[4], ARGV[1])
  return false
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
return score`;

// KEYS: active → {groups with work, ms since the oldest began}
const BACKLOG = `${NOW}
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {redis.call('ZCARD', KEYS[1]), oldest[2] and (now - tonumber(oldest[2])) or -1}`;

export interface QueueScripts {
  /** Keys are counted in the first argument (the extras make their number vary). */
  orderedPush(...numKeysKeysThenArgs: string[]): Promise<[number, ...(string | null)[]]>;
  orderedStart(...keysThenArgs: string[]): Promise<[number, string?]>;
  orderedRenew(...keysThenArgs: string[]): Promise<number>;
  orderedAckNext(...keysThenArgs: string[]): Promise<[number, string?, number?]>;
  orderedHold(...keysThenArgs: string[]): Promise<number>;
  orderedExpired(...keysThenArgs: string[]): Promise<string[]>;
  orderedRevive(...keysThenArgs: string[]): Promise<string | null>;
  orderedBacklog(...keysThenArgs: string[]): Promise<[number, number]>;
}

export function defineQueueScripts(redis: Redis): Redis & QueueScripts {
  const r = redis as Redis & Partial<QueueScripts>;
  if (!r.orderedPush) {
    redis.defineCommand("orderedPush", { lua: PUSH });
    redis.defineCommand("orderedStart", { numberOfKeys: 4, lua: START });
    redis.defineCommand("orderedRenew", { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand("orderedAckNext", { numberOfKeys: 5, lua: ACK_NEXT });
    redis.defineCommand("orderedHold", { numberOfKeys: 3, lua: HOLD });
    redis.defineCommand("orderedExpired", { numberOfKeys: 1, lua: EXPIRED });
    redis.defineCommand("orderedRevive", { numberOfKeys: 4, lua: REVIVE });
    redis.defineCommand("orderedBacklog", { numberOfKeys: 1, lua: BACKLOG });
  }
  return redis as Redis & QueueScripts;
}
