// Tickets, their transcripts, indexes and desk metrics in Redis. Mutations of one ticket are
// serialized by the desk's per-ticket queue, so plain writes are safe here.
import type { Redis } from "ioredis";
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

export class TicketStore {
  constructor(
    readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(...parts: (string | number)[]): string {
    return `${this.prefix}desk:${parts.join(":")}`;
  }

  /** The conversation's open ticket, or a new one made by `make(number)`. Idempotent per conversation. */
  async openFor(
    conversationKey: string,
    make: (number: number) => Ticket,
  ): Promise<{ ticket: Ticket; created: boolean }> {
    const existing = await this.openTicketOf(conversationKey);
    if (existing) return { ticket: existing, created: false };
    const number = await this.redis.incr(this.k("seq"));
    const ticket = make(number);
    await this.save(ticket);
    return { ticket, created: true };
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

  async byThread(threadId: string): Promise<Ticket | null> {
    const n = await this.redis.get(this.k("thread", threadId));
    return n ? this.get(Number(n)) : null;
  }

  /** Writes the ticket and brings every index in line with its status, in one transaction. */
  async save(ticket: Ticket): Promise<void> {
    const m = this.redis.multi();
    const n = ticket.number;
    m.set(this.k("ticket", n), JSON.stringify(ticket));
    m.zadd(this.k("all"), n, String(n));
    m.set(this.k("conv", ticket.conversationKey, "last"), String(n));
    for (const s of STATUSES)
      s === ticket.status
        ? m.sadd(this.k("status", s), String(n))
        : m.srem(this.k("status", s), String(n));
    if (ticket.status === "closed") m.del(this.k("conv", ticket.conversationKey, "open"));
    else m.set(this.k("conv", ticket.conversationKey, "open"), String(n));
    const score = priorityRank[ticket.priority] * 1e13 + ticket.createdAt;
    if (ticket.status === "queued") {
      m.zadd(this.k("queue", ticket.skill), score, String(n));
      m.zadd(this.k("queue"), score, String(n));
    } else {
      m.zrem(this.k("queue", ticket.skill), String(n));
      m.zrem(this.k("queue"), String(n));
    }
    if (ticket.workspace) m.set(this.k("thread", ticket.workspace.threadId), String(n));
    const lane = this.k("lane", ticket.customer.address.channel, ticket.customer.address.chatId);
    if (ticket.status === "closed") m.del(lane);
    else m.set(lane, String(n));
    await m.exec();
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
    await this.redis.rpush(this.k("ticket", number, "log"), JSON.stringify(entry));
  }

  async transcript(number: number): Promise<TranscriptEntry[]> {
    return (await this.redis.lrange(this.k("ticket", number, "log"), 0, -1)).map(
      (l) => JSON.parse(l) as TranscriptEntry,
    );
  }

  /** Ticket numbers, newest first. */
  async list(limit = 50, status?: TicketStatus): Promise<number[]> {
    if (status)
      return (await this.redis.smembers(this.k("status", status)))
        .map(Number)
        .sort((a, b) => b - a)
        .slice(0, limit);
    return (await this.redis.zrevrange(this.k("all"), 0, limit - 1)).map(Number);
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
  /** Moving average of queue waits (queued → assigned), for honest estimates. */
  async recordWait(ms: number): Promise<void> {
    const key = this.k("wait_ewma_ms");
    const previous = Number((await this.redis.get(key)) ?? Number.NaN);
    const next = Number.isNaN(previous) ? ms : previous * 0.8 + ms * 0.2;
    await this.redis.set(key, String(Math.round(next)));
  }
  async averageWaitMs(): Promise<number | null> {
    const v = await this.redis.get(this.k("wait_ewma_ms"));
    return v === null ? null : Number(v);
  }
}
