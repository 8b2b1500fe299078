// The human desk: turns escalations into tickets, relays between customers and agents, keeps
// the lifecycle, routes and assigns, and runs the timers. Everything that changes one ticket
// runs through one ordered lane per ticket, so replicas never race on it; timers are BullMQ
// delayed jobs with unique ids, so they survive restarts and fire once.
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { DeliveryError } from "../core/errors.ts";
import type { InboundEvent, OutboundMessage } from "../core/types.ts";
import type { ConversationStore } from "../engine/store.ts";
import { renderTemplate } from "../engine/template.ts";
import type { TurnResult } from "../engine/turn.ts";
import type { BotConfigDef } from "../flows/schema.ts";
import type { Outbox } from "../outbox/outbox.ts";
import { RateLimiter } from "../outbox/rate-limit.ts";
import { splitText } from "../outbox/split.ts";
import { type ItemOutcome, OrderedQueue } from "../queue/ordered-queue.ts";
import type { AgentDef, DeskConfigDef } from "./config.ts";
import { describeMoment, isOpen, nextOpening } from "./hours.ts";
import { TicketStore } from "./store.ts";
import { type Ticket, topicTitle, transition } from "./ticket.ts";
import { type AgentEvent, type AgentWorkspace, ThreadGoneError } from "./workspace.ts";

export type DeskItem =
  | { type: "opened"; ticket: number }
  | {
      type: "customer";
      ticket: number;
      text: string;
      attachments: number;
      ref?: { chatId: string; messageId: string };
      at: number;
    }
  | { type: "agent"; ticket: number | null; event: AgentEvent }
  | { type: "notice"; ticket: number; text: string }
  | { type: "reopen"; ticket: number }
  | { type: "rating"; ticket: number; score?: number; comment?: string }
  | {
      type: "timer";
      ticket: number;
      kind: "sla" | "autoclose_warn" | "autoclose" | "assign";
      activity: number;
    };

export interface DeskOptions {
  redis: Redis;
  prefix: string;
  bot: BotConfigDef;
  config: DeskConfigDef;
  outbox: Outbox;
  conversations: ConversationStore;
  workspace: AgentWorkspace;
  logger?: Logger;
  recoveryMs?: number;
  now?: () => number;
}

const CSAT_PAYLOAD = /^csat:(\d+):([1-5])$/;
/** Longest text posted into a ticket thread in one message (Telegram allows 4096). */
const THREAD_TEXT_MAX = 4000;
const MINUTE = 60_000;

export class Desk {
  readonly store: TicketStore;
  private readonly lanes: OrderedQueue<DeskItem>;
  private readonly timers: Queue;
  private readonly timerWorker: Worker;
  private readonly limiter: RateLimiter;
  private readonly now: () => number;
  private readonly config: DeskConfigDef;

  constructor(private readonly o: DeskOptions) {
    this.config = o.config;
    this.now = o.now ?? Date.now;
    this.store = new TicketStore(o.redis, o.prefix);
    this.limiter = new RateLimiter(o.redis);
    this.lanes = new OrderedQueue<DeskItem>({
      name: "desk",
      connection: o.redis,
      prefix: o.prefix,
      logger: o.logger,
      concurrency: 32,
      lockDurationMs: o.recoveryMs,
      leaseMs: o.recoveryMs,
      handler: (_lane, item) => this.process(item),
    });
    const bull = { connection: o.redis, prefix: `${o.prefix}bull` };
    this.timers = new Queue("desk-timers", bull);
    this.timerWorker = new Worker(
      "desk-timers",
      async (job) => {
        const item = job.data as DeskItem;
        await this.lanes.push(laneOf(item.ticket!), `timer:${job.id}`, item);
      },
      {
        ...bull,
        concurrency: 8,
        lockDuration: o.recoveryMs ?? 15_000,
        stalledInterval: o.recoveryMs ?? 15_000,
      },
    );
    this.timerWorker.on("error", (err) => o.logger?.error({ err }, "desk timer worker error"));
  }

  // ---------------------------------------------------------------- customer side

  /** After the bot's turn: open a ticket on escalation, relay what the customer tells the person. */
  async onTurn(event: InboundEvent, result: TurnResult): Promise<void> {
    if (!result.replayed && result.ended)
      await this.store.count(result.ended === "resolved" ? "bot_resolved" : "bot_unresolved");
    if (result.escalation) {
      const e = result.escalation;
      const now = this.now();
      const { ticket, created } = await this.store.openFor(e.conversationKey, (number) => ({
        number,
        conversationKey: e.conversationKey,
        customer: { address: e.address, user: e.user, locale: e.locale },
        skill: e.skill,
        priority: e.priority,
        reason: e.reason,
        flowId: e.flowId,
        tried: e.tried,
        vars: e.vars,
        status: "queued",
        createdAt: now,
        lastActivityAt: now,
        activity: 0,
        reopened: 0,
        openedOutOfHours: !this.isOpenAt(now),
      }));
      if (created) {
        await this.store.count("escalated");
        await this.store.append(ticket.number, {
          at: now,
          from: "system",
          text: `escalated by flow ${e.flowId}: ${e.reason}`,
        });
      }
      await this.lanes.push(laneOf(ticket.number), `open:${ticket.number}`, {
        type: "opened",
        ticket: ticket.number,
      });
    }
    if (result.forAgent && event.type !== "button" && event.type !== "command") {
      const ticket = await this.store.openTicketOf(event.conversationKey);
      if (!ticket) {
        // With a person, but no open ticket (closed meanwhile): the bot takes the next message.
        await this.o.conversations.mutate(event.conversationKey, (s) => {
          s.mode = "bot";
        });
        return;
      }
      await this.lanes.push(laneOf(ticket.number), event.idempotencyKey, {
        type: "customer",
        ticket: ticket.number,
        text: result.forAgent.text,
        attachments: result.forAgent.attachments,
        ...(result.forAgent.attachments > 0 && event.platformMessageId
          ? { ref: { chatId: event.address.chatId, messageId: event.platformMessageId } }
          : {}),
        at: event.at,
      });
    }
  }

  /** Before the engine: ratings, /status, and a message that reopens a just-closed ticket. */
  async intercept(event: InboundEvent): Promise<OutboundMessage[] | null> {
    const localeOf = () => this.localeOf(event);
    if (event.type === "button") {
      const m = CSAT_PAYLOAD.exec(event.payload);
      if (!m) return null;
      const ticket = await this.store.get(Number(m[1]));
      // Only the customer's own closed ticket can be rated; anything else is stale or forged.
      if (ticket?.conversationKey !== event.conversationKey || ticket.status !== "closed")
        return null;
      await this.lanes.push(laneOf(ticket.number), event.idempotencyKey, {
        type: "rating",
        ticket: ticket.number,
        score: Number(m[2]),
      });
      await this.o.redis.set(
        this.key("csat_pending", event.conversationKey),
        String(ticket.number),
        "EX",
        600,
      );
      return [{ text: this.text("csatComment", await localeOf(), {}) }];
    }
    if (event.type === "command" && event.command === "status")
      return [{ text: await this.statusText(event.conversationKey, await localeOf()) }];
    if (event.type !== "message") return null;

    const pending = await this.o.redis.get(this.key("csat_pending", event.conversationKey));
    if (pending && event.text.trim() && !(await this.store.openTicketOf(event.conversationKey))) {
      await this.o.redis.del(this.key("csat_pending", event.conversationKey));
      await this.lanes.push(laneOf(Number(pending)), event.idempotencyKey, {
        type: "rating",
        ticket: Number(pending),
        comment: event.text.slice(0, 2000),
      });
      return [{ text: this.text("csatThanks", await localeOf(), {}) }];
    }

    // A customer who writes soon after an agent closed the ticket is still on the same matter:
    // reopen it. The conversation goes back to the person first, then the ticket's own lane
    // reopens the ticket and relays the message, in that order.
    const last = await this.store.lastTicketOf(event.conversationKey);
    if (
      last?.status === "closed" &&
      last.closedAt &&
      this.now() - last.closedAt < this.config.reopenWindowMinutes * MINUTE &&
      last.closedBy === "agent"
    ) {
      await this.o.conversations.mutate(event.conversationKey, (s) => {
        s.mode = "agent";
        s.agentAcknowledged = true;
      });
      await this.lanes.push(laneOf(last.number), `reopen:${last.number}:${last.closedAt}`, {
        type: "reopen",
        ticket: last.number,
      });
      await this.lanes.push(laneOf(last.number), event.idempotencyKey, {
        type: "customer",
        ticket: last.number,
        text: event.text,
        attachments: event.attachments?.length ?? 0,
        at: event.at,
      });
      return [{ text: this.text("reopened", await localeOf(), { number: String(last.number) }) }];
    }
    return null;
  }

  /** The outbox found the customer's chat unreachable (blocked the bot, deleted): tell the agents. */
  async customerUnreachable(
    address: { channel: string; chatId: string },
    reason: string,
  ): Promise<void> {
    const ticket = await this.store.openTicketAt(address.channel, address.chatId);
    if (!ticket) return;
    await this.lanes.push(
      laneOf(ticket.number),
      `unreachable:${ticket.number}:${ticket.activity}`,
      {
        type: "notice",
        ticket: ticket.number,
        text: `⚠️ The customer cannot be reached (${reason}). Messages to them are not delivered.`,
      },
    );
  }

  // ---------------------------------------------------------------- agent side

  /** Records an agent's action durably (the adapter acknowledges the platform after this). */
  async recordAgentEvent(event: AgentEvent): Promise<void> {
    const fromPayload = /^desk:[a-z]+:(\d+)$/.exec(event.payload ?? "");
    const ticket = fromPayload
      ? Number(fromPayload[1])
      : event.threadId
        ? ((await this.store.byThread(event.threadId))?.number ?? null)
        : null;
    await this.lanes.push(
      ticket === null ? `agent:${event.agentId}` : laneOf(ticket),
      event.idempotencyKey,
      { type: "agent", ticket, event },
    );
  }

  // ---------------------------------------------------------------- the per-ticket lane

  private async process(item: DeskItem): Promise<ItemOutcome> {
    try {
      if (item.type === "agent") await this.onAgent(item.ticket, item.event);
      else {
        const ticket = await this.store.get(item.ticket);
        if (!ticket) return { type: "drop", reason: `no ticket ${item.ticket}` };
        if (item.type === "opened") await this.onOpened(ticket);
        else if (item.type === "reopen") await this.reopen(ticket);
        else if (item.type === "rating") await this.rate(ticket, item.score, item.comment);
        else if (item.type === "notice") {
          await this.store.append(ticket.number, {
            at: this.now(),
            from: "system",
            text: item.text,
          });
          await this.postToThread(ticket, { text: item.text });
        } else if (item.type === "customer") await this.onCustomer(ticket, item);
        else await this.onTimer(ticket, item.kind, item.activity);
      }
      return { type: "done" };
    } catch (err) {
      if (err instanceof DeliveryError && err.kind === "rate_limited")
        return { type: "retry", afterMs: err.retryAfterMs ?? 1_000, reason: err.message };
      if (err instanceof DeliveryError && (err.kind === "rejected" || err.kind === "unreachable")) {
        this.o.logger?.error(
          { err: err.message, item: item.type },
          "the agent chat refused a desk message",
        );
        return { type: "drop", reason: err.message };
      }
      throw err; // transient: the lane retries with backoff
    }
  }

  private async onOpened(t: Ticket): Promise<void> {
    // Every step is idempotent (thread and card made once, notices and timers with fixed ids),
    // so a retry after a rate limit or a crash finishes what the first run started.
    await this.ensureThread(t);
    const locale = t.customer.locale;
    const now = this.now();
    if (this.isOpenAt(now)) {
      const position = await this.store.position(t);
      await this.tellCustomer(
        t,
        `opened:${t.number}`,
        this.text("ticketOpened", locale, {
          number: String(t.number),
          position: String(position),
          eta: await this.eta(locale, position),
        }),
      );
      await this.schedule(t, "sla", this.config.firstResponseSlaMinutes * MINUTE);
    } else {
      const back = nextOpening(now, this.config.hours, this.config.timezone);
      const when = back ? describeMoment(back, locale, this.config.timezone) : "—";
      await this.tellCustomer(
        t,
        `opened:${t.number}`,
        this.text("outOfHours", locale, { number: String(t.number), back: when }),
      );
      if (back)
        await this.schedule(t, "sla", back - now + this.config.firstResponseSlaMinutes * MINUTE);
    }
    if (this.config.assignment === "auto") await this.autoAssign(t);
  }

  private async onCustomer(
    t: Ticket,
    item: Extract<DeskItem, { type: "customer" }>,
  ): Promise<void> {
    const now = this.now();
    t.activity += 1;
    t.lastActivityAt = now;
    if (t.status === "waiting_customer") transition(t, "assigned", now);
    await this.store.save(t);
    await this.store.append(t.number, {
      at: item.at,
      from: "customer",
      text: item.text,
      attachments: item.attachments,
    });
    const name = t.customer.user.name || "Customer";
    if (item.ref) await this.postToThread(t, { text: item.text, copyOf: item.ref });
    if (item.text.trim() || !item.ref)
      await this.postToThread(t, { text: `👤 ${name}: ${item.text || "[media]"}` });
  }

  private async onAgent(ticketNumber: number | null, e: AgentEvent): Promise<void> {
    if (!(await this.o.workspace.isMember(e.agentId))) {
      this.o.logger?.warn({ agent: e.agentId }, "agent action from a non-member refused");
      return;
    }
    const command = e.type === "button" ? /^desk:([a-z]+):/.exec(e.payload ?? "")?.[1] : e.command;
    if (command === "alias") {
      const alias = (e.args ?? "").trim().slice(0, 32);
      if (alias) await this.store.setAgentAlias(e.agentId, alias);
      await this.o.workspace.post(e.threadId, {
        text: alias ? `Customers will see you as “${alias}”.` : "Usage: /alias Anna",
      });
      return;
    }
    if (command === "away" || command === "back") {
      await this.store.setAway(e.agentId, command === "away");
      await this.o.workspace.post(e.threadId, {
        text:
          command === "away"
            ? "You are away: no new tickets are assigned to you."
            : "Welcome back: you are on shift.",
      });
      return;
    }
    const t = ticketNumber === null ? null : await this.store.get(ticketNumber);
    if (!t) return; // a message in the chat's general thread: not about a ticket
    const now = this.now();
    const alias = await this.aliasOf(e.agentId, e.agentName);

    switch (command) {
      case "claim":
        await (await this.assign(t, { id: e.agentId, alias }, e.agentName))();
        return;
      case "close":
        await this.closeTicket(t, "agent");
        return;
      case "reopen":
        if (t.status === "closed") {
          transition(t, t.agent ? "assigned" : "queued", now);
          await this.store.save(t);
          if (t.workspace)
            await this.o.workspace.reopenThread(t.workspace.threadId).catch(() => {});
          await this.o.conversations.mutate(t.conversationKey, (s) => {
            s.mode = "agent";
          });
          await this.refreshTitle(t);
        }
        return;
      case "transfer":
        if (e.type === "button" || !e.args?.trim()) {
          await this.postToThread(t, {
            text: "Transfer with /transfer <skill> or /transfer <agent alias>.",
          });
          return;
        }
        await this.transfer(t, e.args.trim());
        return;
      case "note":
        await this.store.append(t.number, {
          at: now,
          from: "note",
          text: e.args ?? "",
          by: e.agentId,
        });
        return;
      case undefined:
        break;
      default:
        if (e.type === "command") {
          await this.postToThread(t, {
            text: `Unknown command /${command}. Agent commands: /claim /close /transfer /reopen /note /alias /away /back`,
          });
          return;
        }
    }
    const text = e.text ?? "";
    if (text.startsWith("//")) {
      await this.store.append(t.number, {
        at: now,
        from: "note",
        text: text.slice(2).trim(),
        by: e.agentId,
      });
      return;
    }
    if (t.status === "closed") {
      await this.postToThread(t, {
        text: "This ticket is closed; /reopen it to write to the customer.",
      });
      return;
    }
    const announce = t.agent
      ? undefined
      : await this.assign(t, { id: e.agentId, alias }, e.agentName);
    const id = `agent:${e.idempotencyKey}`;
    if (e.hasMedia && e.messageRef)
      await this.o.outbox.enqueue(id, t.customer.address, { text, copyOf: e.messageRef });
    else await this.o.outbox.enqueue(id, t.customer.address, { text: `${alias}: ${text}` });
    if (!t.firstResponseAt) {
      t.firstResponseAt = now;
      await this.store.count("first_response_ms_sum", now - t.createdAt);
      await this.store.count("first_response_count");
    }
    t.activity += 1;
    t.lastActivityAt = now;
    if (t.status === "assigned") transition(t, "waiting_customer", now);
    await this.store.save(t);
    await this.store.append(t.number, {
      at: now,
      from: "agent",
      text: text || "[media]",
      by: alias,
      attachments: e.hasMedia ? 1 : 0,
    });
    const idle = this.config.autoCloseAfterMinutes * MINUTE;
    await this.schedule(
      t,
      "autoclose_warn",
      Math.max(0, idle - this.config.autoCloseWarningMinutes * MINUTE),
    );
    await announce?.();
  }

  private async onTimer(
    t: Ticket,
    kind: "sla" | "autoclose_warn" | "autoclose" | "assign",
    activity: number,
  ): Promise<void> {
    if (t.status === "closed") {
      // A close whose announcements were cut short (rate limit, crash) is finished here.
      if (kind === "autoclose" && !t.closeAnnounced) await this.closeTicket(t, "auto");
      return;
    }
    const locale = t.customer.locale;
    if (kind === "assign") {
      if (this.config.assignment === "auto" && t.status === "queued") await this.autoAssign(t);
      return;
    }
    if (kind === "sla") {
      if (t.firstResponseAt) return;
      const onShift = (await this.onShiftAgents(t)).map((a) => ({ agentId: a.id, name: a.alias }));
      const waited = Math.round((this.now() - t.createdAt) / MINUTE);
      await this.postToThread(t, {
        text: `⏰ Ticket #${t.number} has waited ${waited} min without a reply.`,
        mentions: onShift,
      });
      const position = t.status === "queued" ? await this.store.position(t) : 1;
      await this.tellCustomer(
        t,
        `sla:${t.number}`,
        this.text("stillWorking", locale, { number: String(t.number), position: String(position) }),
      );
      return;
    }
    if (activity !== t.activity || t.status !== "waiting_customer") return; // the customer answered since
    if (kind === "autoclose_warn") {
      await this.tellCustomer(
        t,
        `warn:${t.number}:${activity}`,
        this.text("autoCloseWarning", locale, {
          minutes: String(this.config.autoCloseWarningMinutes),
        }),
      );
      await this.schedule(t, "autoclose", this.config.autoCloseWarningMinutes * MINUTE);
      return;
    }
    await this.closeTicket(t, "auto");
  }

  // ---------------------------------------------------------------- lifecycle helpers

  /**
   * Gives the ticket to an agent and tells the customer at once. Returns the agent-chat
   * updates (a note in the topic, its new name) to run after anything more urgent, such as
   * the agent's first reply, which should not wait on two more platform calls.
   */
  private async assign(
    t: Ticket,
    agent: { id: string; alias: string },
    name: string,
  ): Promise<() => Promise<void>> {
    const nothing = async () => {};
    if (t.agent && t.agent.id !== agent.id) {
      await this.postToThread(t, {
        text: `#${t.number} is already with ${t.agent.alias}. ${name}, use /transfer to take it over.`,
      });
      return nothing;
    }
    if (t.agent || t.status === "closed") return nothing;
    const now = this.now();
    transition(t, "assigned", now);
    t.agent = agent;
    t.assignedAt = now;
    await this.store.save(t);
    await this.tellCustomer(
      t,
      `joined:${t.number}:${agent.id}:${t.reopened}`,
      this.text("agentJoined", t.customer.locale, { agent: agent.alias }),
    );
    await this.store.setAgentTicket(agent.id, t.number, true);
    await this.store.recordWait(now - t.createdAt);
    await this.store.append(t.number, {
      at: now,
      from: "system",
      text: `assigned to ${agent.alias}`,
    });
    return async () => {
      await this.postToThread(t, {
        text: `✋ ${name} took #${t.number}; the customer sees “${agent.alias}”.`,
      });
      await this.refreshTitle(t);
    };
  }

  private async reopen(t: Ticket): Promise<void> {
    if (t.status !== "closed") return;
    transition(t, t.agent ? "assigned" : "queued", this.now());
    await this.store.save(t);
    if (t.agent) await this.store.setAgentTicket(t.agent.id, t.number, true);
    await this.store.append(t.number, {
      at: this.now(),
      from: "system",
      text: "reopened by the customer",
    });
    if (t.workspace) await this.o.workspace.reopenThread(t.workspace.threadId).catch(() => {});
    await this.refreshTitle(t);
    if (this.config.assignment === "auto") await this.autoAssign(t);
  }

  private async rate(t: Ticket, score?: number, comment?: string): Promise<void> {
    if (score !== undefined && !t.csat) {
      t.csat = { score, at: this.now() };
      await this.store.count("csat_sum", score);
      await this.store.count("csat_count");
    }
    if (comment !== undefined && t.csat) {
      t.csat.comment = comment;
      await this.store.append(t.number, {
        at: this.now(),
        from: "customer",
        text: `rating comment: ${comment}`,
      });
    }
    await this.store.save(t);
  }

  /**
   * Closes in two halves, each safe to run again: the state change (conversation handed back
   * to the bot first, so a crash can never leave it waiting on a person with no ticket), then
   * the announcements, marked done only when all of them went out.
   */
  private async closeTicket(t: Ticket, by: "agent" | "auto"): Promise<void> {
    if (t.status !== "closed") {
      const now = this.now();
      await this.o.conversations.mutate(t.conversationKey, (s) => {
        s.mode = "bot";
        s.flowId = null;
        s.stepId = null;
      });
      transition(t, "closed", now);
      t.closedBy = by;
      t.closeAnnounced = false;
      await this.store.save(t);
      if (t.agent) await this.store.setAgentTicket(t.agent.id, t.number, false);
      await this.store.count("closed");
      await this.store.count("resolution_ms_sum", now - t.createdAt);
      await this.store.count("resolution_count");
      await this.store.append(t.number, {
        at: now,
        from: "system",
        text:
          by === "auto" ? "closed after inactivity" : `closed by ${t.agent?.alias ?? "an agent"}`,
      });
    }
    if (t.closeAnnounced) return;
    await this.tellCustomer(
      t,
      `closed:${t.number}:${t.reopened}`,
      this.text("closed", t.customer.locale, { number: String(t.number) }),
      [1, 2, 3, 4, 5].map((n) => ({ label: "★".repeat(n), payload: `csat:${t.number}:${n}` })),
    );
    await this.postToThread(t, {
      text:
        t.closedBy === "auto"
          ? `Closed after ${this.config.autoCloseAfterMinutes} min without an answer.`
          : `Closed. The customer was asked to rate the help.`,
    });
    await this.refreshTitle(t);
    if (t.workspace) await this.o.workspace.closeThread(t.workspace.threadId).catch(() => {});
    t.closeAnnounced = true;
    await this.store.save(t);
    if (this.config.assignment === "auto" && t.agent) await this.offerNextTicket(t.agent.id);
  }

  private async transfer(t: Ticket, target: string): Promise<void> {
    if (t.status === "closed") {
      await this.postToThread(t, { text: `#${t.number} is closed; /reopen it first.` });
      return;
    }
    const agent = this.config.agents.find((a) => a.alias.toLowerCase() === target.toLowerCase());
    const previous = t.agent;
    if (previous) await this.store.setAgentTicket(previous.id, t.number, false);
    if (agent) {
      t.agent = undefined;
      transition(t, "queued", this.now());
      await this.store.save(t);
      const announce = await this.assign(
        t,
        { id: agent.id, alias: (await this.store.agentAlias(agent.id)) ?? agent.alias },
        agent.alias,
      );
      await announce();
      return;
    }
    await this.store.leaveQueue(t, t.skill);
    t.skill = target.toLowerCase();
    transition(t, "queued", this.now());
    await this.store.save(t);
    await this.store.append(t.number, {
      at: this.now(),
      from: "system",
      text: `transferred to skill ${t.skill}`,
    });
    await this.postToThread(t, { text: `↪ Transferred to ${t.skill}; back in the queue.` });
    await this.refreshTitle(t);
    if (this.config.assignment === "auto") await this.autoAssign(t);
  }

  /** Round-robin among on-shift agents with the skill, the language and free capacity. */
  private async autoAssign(t: Ticket): Promise<void> {
    if (t.status !== "queued") return;
    const candidates: AgentDef[] = [];
    for (const a of await this.onShiftAgents(t))
      if ((await this.store.agentLoad(a.id)) < a.capacity) candidates.push(a);
    if (candidates.length === 0) return;
    const chosen = candidates[(await this.store.nextTurn()) % candidates.length]!;
    const announce = await this.assign(
      t,
      { id: chosen.id, alias: (await this.store.agentAlias(chosen.id)) ?? chosen.alias },
      chosen.alias,
    );
    await announce();
  }

  private async offerNextTicket(agentId: string): Promise<void> {
    const agent = this.config.agents.find((a) => a.id === agentId);
    if (!agent) return;
    const [next] = await this.store.queued(agent.skills);
    if (next !== undefined)
      await this.lanes.push(laneOf(next), `assign:${next}:${this.now()}`, {
        type: "timer",
        ticket: next,
        kind: "assign",
        activity: -1,
      });
  }

  private async onShiftAgents(t: Ticket): Promise<AgentDef[]> {
    if (!this.isOpenAt(this.now())) return [];
    const out: AgentDef[] = [];
    for (const a of this.config.agents) {
      if (!a.skills.includes(t.skill) || !a.languages.includes(t.customer.locale)) continue;
      if (await this.store.isAway(a.id)) continue;
      out.push(a);
    }
    return out;
  }

  // ---------------------------------------------------------------- the agent chat

  /** The ticket's thread, created once; made again if someone deleted it by hand. */
  private async ensureThread(t: Ticket, recreate = false): Promise<string> {
    if (!t.workspace || recreate) {
      await this.pace();
      const threadId = await this.o.workspace.openThread(topicTitle(t));
      t.workspace = { threadId };
      await this.store.save(t);
    }
    if (!t.workspace.cardMessageId) {
      const card: OutboundMessage = {
        text: this.card(t, await this.store.transcript(t.number)),
        buttons: [
          { label: "✋ Claim", payload: `desk:claim:${t.number}` },
          { label: "✅ Close", payload: `desk:close:${t.number}` },
          { label: "↪ Transfer", payload: `desk:transfer:${t.number}` },
        ],
      };
      await this.pace();
      try {
        t.workspace.cardMessageId = await this.o.workspace.post(t.workspace.threadId, card);
      } catch (err) {
        if (!(err instanceof ThreadGoneError) || recreate) throw err;
        return this.ensureThread(t, true);
      }
      await this.store.save(t);
    }
    return t.workspace.threadId;
  }

  /** Posts into the ticket's thread (made, or made again, as needed); long text in parts. */
  private async postToThread(t: Ticket, message: OutboundMessage): Promise<string> {
    const parts = message.copyOf
      ? [message]
      : splitText(message.text, THREAD_TEXT_MAX).map((text, i, all) =>
          i === all.length - 1 ? { ...message, text } : { text },
        );
    let id = "";
    for (const part of parts) id = await this.postPart(t, part);
    return id;
  }

  private async postPart(t: Ticket, message: OutboundMessage): Promise<string> {
    const threadId = await this.ensureThread(t);
    await this.pace();
    try {
      return await this.o.workspace.post(threadId, message);
    } catch (err) {
      if (!(err instanceof ThreadGoneError)) throw err;
      this.o.logger?.warn({ ticket: t.number }, "ticket thread was deleted; making a new one");
      const fresh = await this.ensureThread(t, true);
      await this.pace();
      return this.o.workspace.post(fresh, message);
    }
  }

  /** The agent chat shares the outbox's rate limit for its lane (Telegram: 20/min per group). */
  private async pace(): Promise<void> {
    const key = `${this.o.prefix}outbox:{${this.o.workspace.channel}:${this.o.workspace.chatId}}:bucket`;
    const limit = this.o.outbox.limitFor({
      channel: this.o.workspace.channel,
      chatId: this.o.workspace.chatId,
    });
    for (;;) {
      const wait = await this.limiter.take(key, limit);
      if (wait === 0) return;
      if (wait > 1_500) throw new DeliveryError("rate_limited", "agent chat rate limit", wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  private card(t: Ticket, log: { from: string; text: string }[]): string {
    const c = t.customer;
    const lines = [
      `🎫 Ticket #${t.number} · ${t.priority.toUpperCase()} · skill ${t.skill}`,
      `Customer: ${c.user.name ?? "unknown"} (${c.address.channel}) · language ${c.locale}`,
      `Reason: ${t.reason}`,
      `The bot tried: ${t.tried.join(" → ") || "nothing"}`,
      ...Object.entries(t.vars).map(([k, v]) => `• ${k}: ${v.slice(0, 200)}`),
      t.openedOutOfHours ? "Opened outside business hours." : "",
      "",
      "Write here to answer the customer. // or /note for internal notes. /close /transfer <skill|alias> /alias <name>",
    ];
    const recent = log.filter((l) => l.from === "customer").slice(-5);
    if (recent.length)
      lines.push(
        "",
        "Recent customer messages:",
        ...recent.map((l) => `👤 ${l.text.slice(0, 300)}`),
      );
    // The card is one message with the buttons under it: it must fit in one.
    return lines
      .filter((l, i, all) => l !== "" || all[i - 1] !== "")
      .join("\n")
      .slice(0, THREAD_TEXT_MAX);
  }

  private async refreshTitle(t: Ticket): Promise<void> {
    if (!t.workspace) return;
    await this.o.workspace
      .renameThread(t.workspace.threadId, topicTitle(t))
      .catch((err) =>
        this.o.logger?.warn({ err: String(err) }, "could not rename the ticket thread"),
      );
  }

  // ---------------------------------------------------------------- customer notices and texts

  private async tellCustomer(
    t: Ticket,
    id: string,
    text: string,
    buttons?: OutboundMessage["buttons"],
  ): Promise<void> {
    await this.o.outbox.enqueue(`desk:${id}`, t.customer.address, {
      text,
      ...(buttons ? { buttons } : {}),
    });
  }

  private text(
    key: keyof DeskConfigDef["messages"],
    locale: string,
    vars: Record<string, string>,
  ): string {
    const t = this.config.messages[key];
    return renderTemplate(t[locale] ?? t[this.o.bot.defaultLocale] ?? "", vars, {});
  }

  private async eta(locale: string, position: number): Promise<string> {
    const avg = (await this.store.averageWaitMs()) ?? this.config.firstResponseSlaMinutes * MINUTE;
    const minutes = Math.max(1, Math.round((avg * position) / MINUTE));
    return this.text("minutes", locale, { n: String(minutes) });
  }

  private async statusText(conversationKey: string, locale: string): Promise<string> {
    const t = await this.store.openTicketOf(conversationKey);
    if (!t) return this.text("statusNone", locale, {});
    if (t.agent)
      return this.text("statusAssigned", locale, {
        number: String(t.number),
        agent: t.agent.alias,
      });
    const position = await this.store.position(t);
    return this.text("statusQueued", locale, {
      number: String(t.number),
      position: String(position),
      eta: await this.eta(locale, position),
    });
  }

  private async localeOf(event: InboundEvent): Promise<string> {
    const state = await this.o.conversations.load(event.conversationKey);
    return state?.locale ?? this.o.bot.defaultLocale;
  }

  private async aliasOf(agentId: string, name: string): Promise<string> {
    return (
      (await this.store.agentAlias(agentId)) ??
      this.config.agents.find((a) => a.id === agentId)?.alias ??
      name
    );
  }

  private isOpenAt(at: number): boolean {
    return isOpen(at, this.config.hours, this.config.timezone);
  }

  private key(...parts: string[]): string {
    return `${this.o.prefix}desk:${parts.join(":")}`;
  }

  private async schedule(
    t: Ticket,
    kind: "sla" | "autoclose_warn" | "autoclose",
    delayMs: number,
  ): Promise<void> {
    const item: DeskItem = { type: "timer", ticket: t.number, kind, activity: t.activity };
    // One id per (ticket, kind, activity): re-adding is a no-op, so it fires once.
    await this.timers.add(kind, item, {
      jobId: `${kind}-${t.number}-${t.activity}-${t.reopened}`,
      delay: Math.max(0, Math.round(delayMs)),
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  async close(force = false): Promise<void> {
    await this.timerWorker.close(force);
    await this.timers.close();
    await this.lanes.close(force);
  }
}

function laneOf(ticket: number): string {
  return `ticket:${ticket}`;
}
