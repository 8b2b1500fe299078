// Conversation state in Redis, written with compare-and-set on a version so that any number
// of engine instances can share conversations: a turn commits only if nobody else committed
// since it read, and it commits together with its idempotency record (one Lua script).
import type { Redis } from "ioredis";
import type { PreparedPush } from "../queue/ordered-queue.ts";
import { Partitions } from "../queue/partitions.ts";
import { NOW, PUSH_FUNCTION } from "../queue/scripts.ts";
import { type ConversationState, parseState } from "./state.ts";
import type { TurnResult } from "./turn.ts";

export interface StoreOptions {
  /** Key prefix, e.g. "fl:"; tests pass their own. */
  prefix: string;
  /** QUEUE_PARTITIONS: a conversation's keys under its partition's prefix (partitions.ts). */
  partitions?: Partitions;
  /** How long a finished turn is remembered to drop redeliveries (Telegram keeps updates 24 h). */
  dedupeTtlSeconds?: number;
  /** How long a turn's full result is kept to replay it after a crash (then a compact marker). */
  resultTtlSeconds?: number;
  /** Idle conversations are forgotten after this long. */
  stateTtlSeconds?: number;
}

export type CommitOutcome =
  /** `pushCodes`: PUSH_FUNCTION's code for each push committed with the turn, in order. */
  | { type: "committed"; version: number; pushCodes: number[] }
  | { type: "conflict" }
  | { type: "duplicate"; result: TurnResult | "compact" };

/** Just past Telegram's 24 h redelivery window (undelivered updates are kept that long). */
export const DEDUPE_TTL_SECONDS = 26 * 3600;

// Two records per handled event: the full result (to replay the turn after a crash: an hour is
// far beyond any recovery) and a compact marker that outlives the platform's redelivery window,
// so a late duplicate is still dropped while Redis keeps ~100 bytes, not the whole turn.
// With the commit, the turn's replies are recorded in the outbox (a transactional outbox): the
// turn and what it sends are written together or not at all, in one round trip.
// KEYS[1] state hash, KEYS[2] full result, KEYS[3] done marker, then 6 per outbox push
// ARGV: expected version, state JSON, result JSON, result TTL, state TTL, marker TTL, then 7 per
// outbox push (PUSH_FUNCTION's keys and arguments, as OrderedQueue.prepare gives them)
// → {'committed', version, push code…} | {'conflict', version} | {'duplicate', result or ''}
const COMMIT_SCRIPT = `${NOW}${PUSH_FUNCTION}
local done = redis.call('GET', KEYS[2])
if done then return {'duplicate', done} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'duplicate', ''} end
local current = redis.call('HGET', KEYS[1], 'v') or '0'
if current ~= ARGV[1] then return {'conflict', current} end
local nextVersion = tonumber(current) + 1
redis.call('HSET', KEYS[1], 'v', nextVersion, 's', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
redis.call('SET', KEYS[3], '1', 'EX', ARGV[6])
local reply = {'committed', tostring(nextVersion)}
for i = 0, (#KEYS - 3) / 6 - 1 do
  local k, a = 3 + 6 * i, 6 + 7 * i
  reply[#reply + 1] = push(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], KEYS[k + 6],
    ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7])
end
return reply
`;

// KEYS[1] state hash  ARGV: expected version, state JSON, state TTL
const SET_STATE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'v') or '0'
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tonumber(current) + 1, 's', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

export class ConversationStore {
  readonly partitions: Partitions;
  private readonly dedupeTtl: number;
  private readonly resultTtl: number;
  private readonly stateTtl: number;

  constructor(
    private readonly redis: Redis,
    options: StoreOptions,
  ) {
    this.partitions = options.partitions ?? new Partitions(options.prefix);
    this.dedupeTtl = options.dedupeTtlSeconds ?? DEDUPE_TTL_SECONDS;
    this.resultTtl = Math.min(this.dedupeTtl, options.resultTtlSeconds ?? 3600);
    this.stateTtl = options.stateTtlSeconds ?? 30 * 24 * 3600;
    if (!(redis as unknown as { frontlineCommit?: unknown }).frontlineCommit) {
      // Keys counted per call: their number depends on the turn's replies.
      redis.defineCommand("frontlineCommit", { lua: COMMIT_SCRIPT });
      redis.defineCommand("frontlineSetState", { numberOfKeys: 1, lua: SET_STATE_SCRIPT });
    }
  }

  // The hash tag keeps a conversation's keys in one Redis Cluster slot, as the script needs;
  // with partitions the partition's tag comes first (it is the one Redis reads), and it is the
  // conversation's intake partition, so the intake's record can read the state (PushExtras).
  private base(conversationKey: string): string {
    return `${this.partitions.prefixOf(conversationKey)}{conv:${conversationKey}}`;
  }
  stateKey(conversationKey: string): string {
    return `${this.base(conversationKey)}:state`;
  }
  doneKey(conversationKey: string, idempotencyKey: string): string {
    return `${this.base(conversationKey)}:done:${idempotencyKey}`;
  }
  private markerKey(conversationKey: string, idempotencyKey: string): string {
    return `${this.base(conversationKey)}:seen:${idempotencyKey}`;
  }

  /** What a caller reads for `snapshot` (below): the state's version and JSON, in one HMGET. */
  snapshotRead(conversationKey: string): { key: string; fields: string[] } {
    return { key: this.stateKey(conversationKey), fields: ["v", "s"] };
  }

  /** The stored result of an already handled event, and the current state, in one round trip.
   * `stateOnly`: the event is known to be new, so only the state is read (one command). */
  async read(
    conversationKey: string,
    idempotencyKey: string,
    {
      stateOnly = false,
      snapshot,
    }: {
      stateOnly?: boolean;
      /** With stateOnly: the `snapshotRead` fields, read a moment ago (no command then). */
      snapshot?: (string | null)[];
    } = {},
  ): Promise<{
    done: TurnResult | "compact" | null;
    state: ConversationState | null;
    version: number;
  }> {
    if (stateOnly && snapshot) {
      const [version, json] = snapshot;
      return { done: null, state: parseState(json ?? null), version: Number(version ?? 0) };
    }
    if (stateOnly) {
      const [version, json] = await this.redis.hmget(this.stateKey(conversationKey), "v", "s");
      return { done: null, state: parseState(json), version: Number(version ?? 0) };
    }
    const replies = await this.redis
      .multi()
      .get(this.doneKey(conversationKey, idempotencyKey))
      .exists(this.markerKey(conversationKey, idempotencyKey))
      .hmget(this.stateKey(conversationKey), "v", "s")
      .exec();
    const done = replies?.[0]?.[1] as string | null;
    const marked = replies?.[1]?.[1] === 1;
    const [version, json] = (replies?.[2]?.[1] as (string | null)[] | undefined) ?? [null, null];
    return {
      done: done ? (JSON.parse(done) as TurnResult) : marked ? "compact" : null,
      state: parseState(json),
      version: Number(version ?? 0),
    };
  }

  /** Commits the turn if nobody else committed since `expectedVersion`, and with it `pushes`
   * (the replies' outbox records); their codes come back for the outbox to settle. */
  async commit(
    conversationKey: string,
    expectedVersion: number,
    state: ConversationState,
    result: TurnResult,
    pushes: readonly PreparedPush[] = [],
  ): Promise<CommitOutcome> {
    const keys = [
      this.stateKey(conversationKey),
      this.doneKey(conversationKey, result.idempotencyKey),
      this.markerKey(conversationKey, result.idempotencyKey),
      ...pushes.flatMap((p) => p.keys),
    ];
    const reply = (await (this.redis as unknown as CommitCommand).frontlineCommit(
      String(keys.length),
      ...keys,
      String(expectedVersion),
      JSON.stringify(state),
      JSON.stringify(result),
      String(this.resultTtl),
      String(this.stateTtl),
      String(this.dedupeTtl),
      ...pushes.flatMap((p) => p.args),
    )) as [string, string, ...number[]];
    if (reply[0] === "duplicate")
      return {
        type: "duplicate",
        result: reply[1] ? (JSON.parse(reply[1]) as TurnResult) : "compact",
      };
    if (reply[0] === "conflict") return { type: "conflict" };
    return { type: "committed", version: Number(reply[1]), pushCodes: reply.slice(2) as number[] };
  }

  /**
   * Changes a stored conversation outside a turn (the desk hands it back to the bot), with the
   * same compare-and-set as turns. Returns false when there is no such conversation.
   */
  async mutate(
    conversationKey: string,
    change: (state: ConversationState) => void,
  ): Promise<boolean> {
    const key = this.stateKey(conversationKey);
    for (let attempt = 0; attempt < 50; attempt++) {
      const [version, json] = await this.redis.hmget(key, "v", "s");
      const state = parseState(json);
      if (!state) return false;
      change(state);
      const ok = await (this.redis as unknown as SetStateCommand).frontlineSetState(
        key,
        version ?? "0",
        JSON.stringify(state),
        String(this.stateTtl),
      );
      if (ok === 1) return true;
    }
    throw new Error(`conversation ${conversationKey} kept changing; mutate gave up`);
  }

  async load(conversationKey: string): Promise<ConversationState | null> {
    return parseState(await this.redis.hget(this.stateKey(conversationKey), "s"));
  }
}

interface SetStateCommand {
  frontlineSetState(...args: string[]): Promise<number>;
}

interface CommitCommand {
  frontlineCommit(...args: string[]): Promise<unknown>;
}
