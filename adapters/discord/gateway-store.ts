// What the Discord adapter keeps in Redis so any process can pick up the gateway where another
// left it: per shard, who holds it (a lease with a short TTL) and the session to RESUME (its id,
// resume URL and the last sequence whose events are recorded). Every write is fenced by the
// lease token, so a process that lost its lease (paused, partitioned) cannot move them.
import type { Redis } from "ioredis";

export interface StoredSession {
  sessionId: string;
  resumeURL: string;
  sequence: number;
  shardCount: number;
  /** A new session whose backfill (REST reads of what was missed) is not finished yet. */
  backfillPending?: boolean;
}

// KEYS[1] lease, ARGV[1] token, ARGV[2] ms: renews only the holder's own lease.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) else return 0 end`;
// KEYS[1] lease, KEYS[2] session; ARGV[1] token, ARGV[2] session JSON or "" to clear.
const SAVE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[2]) end
return 1`;
// KEYS[1] lease, KEYS[2] session; ARGV[1] token, ARGV[2] session id, ARGV[3] sequence.
// Moves the stored sequence forward only, and only for the session it belongs to.
const ADVANCE = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local raw = redis.call('GET', KEYS[2])
if not raw then return 0 end
local s = cjson.decode(raw)
if s.sessionId ~= ARGV[2] or s.sequence >= tonumber(ARGV[3]) then return 1 end
s.sequence = tonumber(ARGV[3])
redis.call('SET', KEYS[2], cjson.encode(s))
return 1`;

// KEYS[1] lease, KEYS[2] session; ARGV[1] token, ARGV[2] session id: the backfill is done.
const BACKFILLED = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local raw = redis.call('GET', KEYS[2])
if not raw then return 0 end
local s = cjson.decode(raw)
if s.sessionId ~= ARGV[2] then return 0 end
s.backfillPending = false
redis.call('SET', KEYS[2], cjson.encode(s))
return 1`;

export class GatewayStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  // One hash tag per shard: a shard's lease and session always sit in one cluster slot.
  private lease(shard: number): string {
    return `${this.prefix}{gw:${shard}}:lease`;
  }
  private session(shard: number): string {
    return `${this.prefix}{gw:${shard}}:session`;
  }

  async acquire(shard: number, token: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.lease(shard), token, "PX", ms, "NX")) === "OK";
  }

  async renew(shard: number, token: string, ms: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.lease(shard), token, ms)) === 1;
  }

  async release(shard: number, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.lease(shard), token);
  }

  async holder(shard: number): Promise<string | null> {
    return this.redis.get(this.lease(shard));
  }

  async load(shard: number): Promise<StoredSession | null> {
    const raw = await this.redis.get(this.session(shard));
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  }

  async save(shard: number, token: string, session: StoredSession | null): Promise<boolean> {
    const json = session ? JSON.stringify(session) : "";
    return (
      (await this.redis.eval(SAVE, 2, this.lease(shard), this.session(shard), token, json)) === 1
    );
  }

  async backfilled(shard: number, token: string, sessionId: string): Promise<boolean> {
    return (
      (await this.redis.eval(
        BACKFILLED,
        2,
        this.lease(shard),
        this.session(shard),
        token,
        sessionId,
      )) === 1
    );
  }

  async advance(
    shard: number,
    token: string,
    sessionId: string,
    sequence: number,
  ): Promise<boolean> {
    return (
      (await this.redis.eval(
        ADVANCE,
        2,
        this.lease(shard),
        this.session(shard),
        token,
        sessionId,
        sequence,
      )) === 1
    );
  }
}
