// Tickets, their transcripts, indexes and desk metrics in Redis. Mutations of one ticket are
// serialized by the desk's per-ticket queue, so plain writes are safe here.
import type { ChainableCommander, Redis } from "ioredis";
import { priorityRank, type Ticket, type TicketStatus } from "./ticket.ts";

export interface TranscriptEntry {
  at: number;
  from: "customer" | "agent" | "bot" | "note" | "system";
  text: string;
  /** The agent's pseudonym (agent entries) or account (notes). */
  by?: string;
  attachments?: number;
}

export const STATUSES: TicketStatus[] = ["queued", "assigned", "waiting_customer", "closed"];

/** How many step ids a ticket remembers as applied. A lane re-runs only its head item, and one
 * item applies at most a handful of steps; every id kept is parsed and written with the ticket
 * on every step (32 cost a third more CPU per agent reply in bench:desk than 12). */
const APPLIED_KEPT = 12;
/** Longest transcript kept per ticket; older lines go first (the card shows the latest). */
export const TRANSCRIPT_MAX = 2_000;

export interface StoreOptions {
  /** Tickets and transcripts expire this long after their last change (desk.retentionDays). */
  retentionDays?: number;
}

/** What a step changes besides the ticket itself, committed in the same transaction. */
export interface StepChanges {
  counts?: Record<string, number>;
  log?: TranscriptEntry[];
  /** The queue-wait average after this step (computed by the caller from `recentWait`). */
  waitAverageMs?: number;
  /** An agent who no longer holds this ticket (their load drops). */
  agentFreed?: string;
  /** A skill queue the ticket left (a transfer to another skill). */
  leftQueue?: string;
}

export class TicketStore {
  private readonly ttl: number;

  constructor(
    readonly redis: Redis,
    private readonly prefix: string,
    options: StoreOptions = {},
  ) {
    this.ttl = Math.round((options.retentionDays ?? 180) * 86_400);
  }

  private k(...parts: (string | number)[]): string {
    return `${this.prefix}desk:${parts.join(":")}`;
  }

  /** The conversation's open ticket, or a new one made by `make(number)` (with its first
   * counts and transcript lines, in the same transaction). Idempotent per conversation. */
  async openFor(
    conversationKey: string,
    make: (number: number) => Ticket,
    changes: StepChanges = {},
  ): Promise<{ ticket: Ticket; created: boolean }> {
    const existing = await this.openTicketOf(conversationKey);
    if (existing) return { ticket: existing, created: false };
    const number = await this.redis.incr(this.k("seq"));
    const ticket = make(number);
    const earlier = await this.redis.lrange(this.k("conv", conversationKey, "tickets"), 0, -1);
    ticket.history = {
      count: earlier.length,
      ...(earlier.length ? { last: Number(earlier.at(-1)) } : {}),
    };
    await this.save(ticket, (m) => {
      m.rpush(this.k("conv", conversationKey, "tickets"), String(number)).expire(
        this.k("conv", conversationKey, "tickets"),
        this.ttl,
      );
      for (const [field, by] of Object.entries(changes.counts ?? {}))
        m.hincrbyfloat(this.k("metrics"), field, by);
      if (changes.log?.length) this.pushLog(m, number, changes.log);
    });
    return { ticket, created: true };
  }

  /**
   * Applies one desk item's change to a ticket once: the change, its metric counts and its
   * transcript lines commit in one transaction together with the item's id, so a retried or
   * re-run item (crash, rate limit) finds it applied and changes nothing. Returns false then.
   */
  async apply(
    ticket: Ticket,
    itemId: string,
    change: (t: Ticket) => StepChanges | undefined,
  ): Promise<boolean> {
    if (ticket.applied?.includes(itemId)) return false;
    const changes = change(ticket) ?? {};
    ticket.applied = [...(ticket.applied ?? []), itemId].slice(-APPLIED_KEPT);
    await this.save(ticket, (m) => {
      for (const [field, by] of Object.entries(changes.counts ?? {}))
        m.hincrbyfloat(this.k("metrics"), field, by);
      if (changes.log?.length) this.pushLog(m, ticket.number, changes.log);
      if (changes.waitAverageMs !== undefined)
        m.set(this.k("wait_ewma_ms"), String(Math.round(changes.waitAverageMs))).set(
          this.k("wait_ewma_at"),
          String(Date.now()),
        );
      if (changes.agentFreed)
        m.srem(this.k("agent", changes.agentFreed, "tickets"), String(ticket.number));
      if (changes.leftQueue && changes.leftQueue !== ticket.skill)
        m.zrem(this.k("queue", changes.leftQueue), String(ticket.number));
    });
    return true;
  }

  private pushLog(m: ChainableCommander, number: number, entries: TranscriptEntry[]): void {
    const key = this.k("ticket", number, "log");
    m.rpush(key, ...entries.map((e) => JSON.stringify(e)))
      .ltrim(key, -TRANSCRIPT_MAX, -1)
      .expire(key, this.ttl);
  }

  async get(number: number): Promise<Ticket | null> {
    const json = await this.redis.get(this.k("ticket", number));
    return json ? (JSON.parse(json) as Ticket) : null;
  }

  async openTicketOf(conversationKey: string): Promise<Ticket | null> {
    const n = await this.redis.get(this.k("conv", conversationKey, "open"));
    return n ? this.get(Number(n)) : null;
  }

  /** The conversation's most recent ticket, open or closed. */
  async lastTicketOf(conversationKey: string): Promise<Ticket | null> {
    const n = await this.redis.get(this.k("conv", conversationKey, "last"));
    return n ? this.get(Number(n)) : null;
  }

  /** The open ticket of a customer chat (by its address). */
  async openTicketAt(channel: string, chatId: string): Promise<Ticket | null> {
    const n = await this.redis.get(this.k("lane", channel, chatId));
    return n ? this.get(Number(n)) : null;
  }

  async byThread(workspaceId: string, threadId: string): Promise<Ticket | null> {
    const n = await this.redis.get(this.k("thread", workspaceId, threadId));
    return n ? this.get(Number(n)) : null;
  }

  /** Forgets a thread that was deleted by hand (a new one replaces it). */
  async forgetThread(workspaceId: string, threadId: string): Promise<void> {
    await this.redis.del(this.k("thread", workspaceId, threadId));
  }

  /** Writes the ticket and brings every index in line with its status, in one transaction. */
  async save(ticket: Ticket, also?: (m: ChainableCommander) => void): Promise<void> {
    const m = this.redis.multi();
    const n = ticket.number;
    m.set(this.k("ticket", n), JSON.stringify(ticket), "EX", this.ttl);
    m.expire(this.k("ticket", n, "log"), this.ttl);
    m.zadd(this.k("all"), n, String(n));
    m.set(this.k("conv", ticket.conversationKey, "last"), String(n), "EX", this.ttl);
    for (const s of STATUSES)
      s === ticket.status
        ? m.sadd(this.k("status", s), String(n))
        : m.srem(this.k("status", s), String(n));
    if (ticket.status === "closed") m.del(this.k("conv", ticket.conversationKey, "open"));
    else m.set(this.k("conv", ticket.conversationKey, "open"), String(n), "EX", this.ttl);
    const score = priorityRank[ticket.priority] * 1e13 + ticket.createdAt;
    if (ticket.status === "queued") {
      m.zadd(this.k("queue", ticket.skill), score, String(n));
      m.zadd(this.k("queue"), score, String(n));
    } else {
      m.zrem(this.k("queue", ticket.skill), String(n));
      m.zrem(this.k("queue"), String(n));
    }
    // The thread index serves agents' messages in open tickets' threads; a closed ticket's
    // thread is still found (agents /reopen there) until the ticket itself expires.
    if (ticket.workspace)
      m.set(
        this.k("thread", ticket.workspace.id, ticket.workspace.threadId),
        String(n),
        "EX",
        this.ttl,
      );
    const lane = this.k("lane", ticket.customer.address.channel, ticket.customer.address.chatId);
    if (ticket.status === "closed") m.del(lane);
    else m.set(lane, String(n), "EX", this.ttl);
    also?.(m);
    const replies = await m.exec();
    const failed = replies?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Removes a ticket from the queue of a skill it no longer has (after a transfer). */
  async leaveQueue(ticket: Ticket, skill: string): Promise<void> {
    await this.redis.zrem(this.k("queue", skill), String(ticket.number));
  }

  /** 1-based place among queued tickets of the same skill (priority first, then age). */
  async position(ticket: Ticket): Promise<number> {
    const rank = await this.redis.zrank(this.k("queue", ticket.skill), String(ticket.number));
    return rank === null ? 1 : rank + 1;
  }

  /** Queued ticket numbers, best first; optionally of some skills. */
  async queued(skills?: string[]): Promise<number[]> {
    const keys = skills ? skills.map((s) => this.k("queue", s)) : [this.k("queue")];
    const all = await Promise.all(
      keys.map((key) => this.redis.zrange(key, "0", "199", "WITHSCORES")),
    );
    const scored: [number, number][] = [];
    for (const list of all)
      for (let i = 0; i < list.length; i += 2) scored.push([Number(list[i]), Number(list[i + 1])]);
    return [...new Map(scored.sort((a, b) => a[1] - b[1])).keys()];
  }

  async append(number: number, entry: TranscriptEntry): Promise<void> {
    const m = this.redis.multi();
    this.pushLog(m, number, [entry]);
    await m.exec();
  }

  async transcript(number: number): Promise<TranscriptEntry[]> {
    return (await this.redis.lrange(this.k("ticket", number, "log"), 0, -1)).map(
      (l) => JSON.parse(l) as TranscriptEntry,
    );
  }

  /** Ticket numbers, newest first (expired tickets are dropped from the indexes on the way). */
  async list(limit = 50, status?: TicketStatus): Promise<number[]> {
    const numbers = status
      ? (await this.redis.smembers(this.k("status", status))).map(Number).sort((a, b) => b - a)
      : (await this.redis.zrevrange(this.k("all"), 0, -1)).map(Number);
    const out: number[] = [];
    for (const n of numbers) {
      if (out.length >= limit) break;
      if (await this.redis.exists(this.k("ticket", n))) out.push(n);
      else await this.unindex(n);
    }
    return out;
  }

  private async unindex(n: number): Promise<void> {
    const m = this.redis.multi().zrem(this.k("all"), String(n)).zrem(this.k("queue"), String(n));
    for (const s of STATUSES) m.srem(this.k("status", s), String(n));
    await m.exec();
  }

  /** Deletes a ticket, its transcript and every index entry (erasure requests). */
  async delete(number: number): Promise<boolean> {
    const t = await this.get(number);
    if (!t) return false;
    const m = this.redis.multi();
    m.del(this.k("ticket", number), this.k("ticket", number, "log"));
    m.zrem(this.k("queue", t.skill), String(number));
    if (t.workspace) m.del(this.k("thread", t.workspace.id, t.workspace.threadId));
    if (t.agent) m.srem(this.k("agent", t.agent.id, "tickets"), String(number));
    m.lrem(this.k("conv", t.conversationKey, "tickets"), 0, String(number));
    if ((await this.redis.get(this.k("conv", t.conversationKey, "open"))) === String(number))
      m.del(this.k("conv", t.conversationKey, "open"));
    if ((await this.redis.get(this.k("conv", t.conversationKey, "last"))) === String(number))
      m.del(this.k("conv", t.conversationKey, "last"));
    const lane = this.k("lane", t.customer.address.channel, t.customer.address.chatId);
    if ((await this.redis.get(lane)) === String(number)) m.del(lane);
    await m.exec();
    await this.unindex(number);
    return true;
  }

  /** Every ticket number of a conversation that still exists. */
  async ticketsOf(conversationKey: string): Promise<number[]> {
    return (await this.redis.lrange(this.k("conv", conversationKey, "tickets"), 0, -1)).map(Number);
  }

  /** The conversation keys of a customer address's tickets (for erasure by `channel:id`). */
  async conversationsAt(channel: string, chatId: string): Promise<string[]> {
    const out = new Set<string>();
    for (const n of await this.list(100_000))
      await this.get(n).then((t) => {
        if (t && t.customer.address.channel === channel && t.customer.address.chatId === chatId)
          out.add(t.conversationKey);
      });
    return [...out];
  }

  // --- blocked customers ---

  async setBlocked(conversationKey: string, blocked: boolean): Promise<void> {
    await (blocked
      ? this.redis.sadd(this.k("blocked"), conversationKey)
      : this.redis.srem(this.k("blocked"), conversationKey));
  }
  async blockedCount(): Promise<number> {
    return this.redis.scard(this.k("blocked"));
  }

  async countByStatus(): Promise<Record<TicketStatus, number>> {
    const counts = await Promise.all(STATUSES.map((s) => this.redis.scard(this.k("status", s))));
    return Object.fromEntries(STATUSES.map((s, i) => [s, counts[i]!])) as Record<
      TicketStatus,
      number
    >;
  }

  // --- agents ---

  async agentAlias(agentId: string): Promise<string | null> {
    return this.redis.hget(this.k("agent", agentId), "alias");
  }
  async setAgentAlias(agentId: string, alias: string): Promise<void> {
    await this.redis.hset(this.k("agent", agentId), "alias", alias);
  }
  async agentLoad(agentId: string): Promise<number> {
    return this.redis.scard(this.k("agent", agentId, "tickets"));
  }
  async setAgentTicket(agentId: string, number: number, holds: boolean): Promise<void> {
    await (holds
      ? this.redis.sadd(this.k("agent", agentId, "tickets"), String(number))
      : this.redis.srem(this.k("agent", agentId, "tickets"), String(number)));
  }
  async setAway(agentId: string, away: boolean): Promise<void> {
    await this.redis.hset(this.k("agent", agentId), "away", away ? "1" : "0");
  }
  async isAway(agentId: string): Promise<boolean> {
    return (await this.redis.hget(this.k("agent", agentId), "away")) === "1";
  }
  /** Round-robin pointer for auto-assignment, shared by replicas. */
  async nextTurn(): Promise<number> {
    return this.redis.incr(this.k("rr"));
  }

  // --- metrics ---

  async count(field: string, by = 1): Promise<void> {
    await this.redis.hincrbyfloat(this.k("metrics"), field, by);
  }
  async metrics(): Promise<Record<string, number>> {
    const raw = await this.redis.hgetall(this.k("metrics"));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }
  /** The moving average of queue waits and when it last moved, if it ever did. */
  async recentWait(): Promise<{ ms: number; at: number } | null> {
    const [ms, at] = await this.redis.mget(this.k("wait_ewma_ms"), this.k("wait_ewma_at"));
    return ms === null ? null : { ms: Number(ms), at: Number(at ?? 0) };
  }
}
