// The human desk: turns escalations into tickets, relays between customers and agents, keeps
// the lifecycle, routes and assigns, and runs the timers. Everything that changes one ticket
// runs through one ordered lane per ticket, so replicas never race on it; timers are BullMQ
// delayed jobs with unique ids, so they survive restarts and fire once. This file only wires
// the lanes and timers and routes each item to its step (one concept per file beside it).
import { Queue, Worker } from "bullmq";
import { DeliveryError } from "../core/errors.ts";
import type { Address, InboundEvent } from "../core/types.ts";
import type { AgentEvent, AgentWorkspace } from "../core/workspace.ts";
import type { TurnMiddleware } from "../engine/middleware.ts";
import type { TurnResult } from "../engine/turn.ts";
import { systemMessage } from "../flows/system-messages.ts";
import type { OutboxItem } from "../outbox/outbox.ts";
import { RateLimiter } from "../outbox/rate-limit.ts";
import { DEFAULT_RECOVERY_MS, type ItemOutcome, OrderedQueue } from "../queue/ordered-queue.ts";
import { runAgentEvent } from "./agent-commands.ts";
import { DeskContext, type DeskSettings } from "./context.ts";
import { deskAfterTurn, deskMiddleware } from "./customer-side.ts";
import type { DeskEvents } from "./events.ts";
import { type DeskItem, laneOf } from "./items.ts";
import { closeTicket, onOpened, rate, reopen } from "./lifecycle.ts";
import { relayFromCustomer } from "./relay.ts";
import { TicketStore } from "./store.ts";
import { postGeneral, postOnce } from "./thread.ts";
import { onTimer } from "./timers.ts";

export interface DeskOptions extends DeskSettings {
  events?: DeskEvents;
  recoveryMs?: number;
  now?: () => number;
}

/** A desk step that keeps failing (not a rate limit) is given up after this many tries and
 * shown to a person: about six minutes with the back-off below. */
const MAX_STEP_ATTEMPTS = 12;
/** How often an agent's message in a not-yet-recorded thread is looked up again (~2 s). */
const UNKNOWN_THREAD_RETRIES = 8;
/** Rate limits are waited out, but not for ever. */
const MAX_RATE_LIMITED_ATTEMPTS = 200;

export class Desk {
  readonly store: TicketStore;
  readonly middleware: TurnMiddleware;
  private readonly c: DeskContext;
  private readonly lanes: OrderedQueue<DeskItem>;
  private readonly timers: Queue;
  private readonly timerWorker: Worker;

  constructor(private readonly o: DeskOptions) {
    this.store = new TicketStore(o.redis, o.prefix, { retentionDays: o.config.retentionDays });
    this.lanes = new OrderedQueue<DeskItem>({
      name: "desk",
      connection: o.redis,
      prefix: o.prefix,
      logger: o.logger,
      concurrency: 32,
      lockDurationMs: o.recoveryMs,
      leaseMs: o.recoveryMs,
      handler: (_lane, item, meta) => this.process(item, meta.itemId, meta.attempts),
    });
    const bull = { connection: o.redis, prefix: `${o.prefix}bull` };
    this.timers = new Queue("desk-timers", bull);
    this.timerWorker = new Worker(
      "desk-timers",
      async (job) => {
        const item = job.data as Extract<DeskItem, { type: "timer" }>;
        await this.lanes.push(laneOf(item.ticket), `timer:${job.id}`, item);
      },
      {
        ...bull,
        concurrency: 8,
        lockDuration: o.recoveryMs ?? DEFAULT_RECOVERY_MS,
        stalledInterval: o.recoveryMs ?? DEFAULT_RECOVERY_MS,
      },
    );
    this.timerWorker.on("error", (err) => o.logger?.error({ err }, "desk timer worker error"));
    this.c = new DeskContext({
      ...o,
      store: this.store,
      limiter: new RateLimiter(o.redis),
      lanes: this.lanes,
      timers: this.timers,
      events: o.events ?? {},
      now: o.now ?? Date.now,
    });
    this.middleware = deskMiddleware(this.c);
  }

  get workspace(): AgentWorkspace {
    return this.o.workspace;
  }

  /** The BullMQ queues behind the ticket lanes and the timers (for dashboards). */
  get bullQueues() {
    return [this.lanes.queue, this.timers];
  }

  /** After the bot's turn committed: open tickets, relay, rate, reopen (idempotent). */
  afterTurn(event: InboundEvent, result: TurnResult): Promise<void> {
    return deskAfterTurn(this.c, event, result);
  }

  /** Records an agent's action durably (the adapter acknowledges the platform after this). */
  async recordAgentEvent(event: AgentEvent): Promise<void> {
    if (event.workspaceId !== this.o.workspace.id) return;
    const fromPayload = event.type === "button" ? /^desk:[a-z]+:(\d+)$/.exec(event.payload) : null;
    const ticket = fromPayload
      ? Number(fromPayload[1])
      : event.threadId
        ? ((await this.store.byThread(event.workspaceId, event.threadId))?.number ?? null)
        : null;
    await this.lanes.push(
      ticket === null ? `agent:${event.agentId}` : laneOf(ticket),
      event.idempotencyKey,
      { type: "agent", ticket, event },
    );
  }

  /** The outbox found the customer's chat unreachable (blocked the bot, deleted): tell the agents. */
  async customerUnreachable(address: Address, reason: string): Promise<void> {
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

  /** The outbox gave up on a message to a customer: the agents of their ticket see it. */
  async deliveryFailed(item: OutboxItem, reason: string): Promise<void> {
    const { address } = item;
    const ticket = await this.store.openTicketAt(address.channel, address.chatId);
    if (!ticket) return;
    const excerpt = item.message.text.slice(0, 200);
    await this.lanes.push(laneOf(ticket.number), `failed:${item.enqueuedAt}:${excerpt.length}`, {
      type: "notice",
      ticket: ticket.number,
      text: `⚠️ A message to the customer was not delivered (${reason}): “${excerpt}”`,
    });
  }

  /** Preflight of the workspace: null when it can host the desk, else what to change. */
  check(): Promise<string | null> {
    return this.o.workspace.check();
  }

  // ---------------------------------------------------------------- the per-ticket lane

  private async process(item: DeskItem, itemId: string, attempts: number): Promise<ItemOutcome> {
    try {
      if (item.type === "agent" && item.ticket === null && item.event.threadId) {
        // A message in a ticket's thread that arrived while the thread was being opened (the
        // platform shows it before its card is posted and recorded): look again shortly.
        const t = await this.store.byThread(item.event.workspaceId, item.event.threadId);
        if (t) item.ticket = t.number;
        else if (attempts < UNKNOWN_THREAD_RETRIES)
          return { type: "retry", afterMs: 250, reason: "thread not recorded yet" };
      }
      await this.dispatch(item, itemId);
      return { type: "done" };
    } catch (err) {
      const reason = (err as Error)?.message ?? String(err);
      const rateLimited = err instanceof DeliveryError && err.kind === "rate_limited";
      const permanent =
        err instanceof DeliveryError && (err.kind === "rejected" || err.kind === "unreachable");
      // Rate limits are routine (Telegram allows 20 posts a minute into a group): they have a
      // bound of their own and do not use up the failures' one.
      const failures = rateLimited ? 0 : await this.countFailure(itemId);
      if (permanent || failures >= MAX_STEP_ATTEMPTS || attempts + 1 >= MAX_RATE_LIMITED_ATTEMPTS) {
        await this.surface(item, itemId, reason);
        return { type: "done" };
      }
      if (rateLimited)
        return { type: "retry", afterMs: (err as DeliveryError).retryAfterMs ?? 1_000, reason };
      this.o.logger?.warn(
        { err: reason, item: item.type, ticket: item.ticket, failures },
        "desk step failed; retrying",
      );
      return { type: "retry", afterMs: Math.min(60_000, 500 * 2 ** (failures - 1)), reason };
    }
  }

  private async countFailure(itemId: string): Promise<number> {
    const key = `${this.o.prefix}desk:failures:${itemId}`;
    const [[, n]] = (await this.o.redis.multi().incr(key).expire(key, 86_400).exec()) as [
      [Error | null, number],
    ];
    return n;
  }

  private async dispatch(item: DeskItem, itemId: string): Promise<void> {
    const c = this.c;
    if (item.type === "agent") {
      if (!(await this.o.workspace.isAgent(item.event.agentId))) {
        this.o.logger?.warn({ agent: item.event.agentId }, "agent action from a non-agent refused");
        return;
      }
      const t = item.ticket === null ? null : await this.store.get(item.ticket);
      await runAgentEvent(c, t, item.event, itemId);
      return;
    }
    const t = await this.store.get(item.ticket);
    if (!t) {
      // Deleted (erasure) or expired. A customer writing to it must not write into the void:
      // the bot takes the conversation back, and the customer hears they have no open ticket.
      if (item.type === "customer") await this.handBack(item);
      return;
    }
    switch (item.type) {
      case "opened":
        return onOpened(c, t, itemId);
      case "reopen":
        return reopen(c, t, itemId, "the customer");
      case "withdraw":
        return closeTicket(c, t, "customer");
      case "rating":
        return rate(c, t, itemId, item.score, item.comment);
      case "locale":
        await c.store.apply(t, `${itemId}:locale`, (x) => {
          x.customer.locale = item.locale;
          return { log: [{ at: c.now(), from: "system", text: `language: ${item.locale}` }] };
        });
        return;
      case "notice":
        await c.store.apply(t, `${itemId}:notice`, () => ({
          log: [{ at: c.now(), from: "system", text: item.text }],
        }));
        return postOnce(c, t, `${itemId}:notice`, { text: item.text });
      case "customer":
        return relayFromCustomer(c, t, item, itemId);
      case "timer":
        return onTimer(c, t, item, itemId);
    }
  }

  private async handBack(item: Extract<DeskItem, { type: "customer" }>): Promise<void> {
    if (!item.conversationKey || !item.address) return;
    let locale = this.o.bot.defaultLocale;
    await this.o.conversations.mutate(item.conversationKey, (s) => {
      s.mode = "bot";
      const { ticket: _gone, ...rest } = s.desk ?? {};
      s.desk = rest;
      locale = s.locale;
    });
    await this.o.outbox.enqueue(`desk:noticket:${item.ticket}:${item.at}`, item.address, {
      text: this.c.text("statusNone", locale, {}),
    });
  }

  /**
   * A step that cannot be done: agents see it in the workspace's general place, the customer
   * of an affected ticket is told honestly, and it is recorded for `frontline deadletters`.
   * Never only a log line.
   */
  private async surface(item: DeskItem, itemId: string, reason: string): Promise<void> {
    const ticket = item.ticket;
    this.o.logger?.error({ item: item.type, ticket, err: reason }, "desk step given up");
    const key = `${this.o.prefix}desk:failed`;
    await this.o.redis
      .multi()
      .lpush(key, JSON.stringify({ at: Date.now(), itemId, item, reason }))
      .ltrim(key, 0, 9_999)
      .exec();
    this.c.d.events.deskFailure?.({ ticket: ticket ?? 0, step: item.type, reason });
    await postGeneral(
      this.c,
      `failed:${itemId}`,
      `⚠️ ${ticket === null ? "An agent action" : `Ticket #${ticket}`}: ${describe(item)} failed (${reason}). See \`frontline deadletters list\`.`,
    ).catch((err) =>
      this.o.logger?.error(
        { err: String(err) },
        "the workspace cannot be reached for a failure notice either",
      ),
    );
    if (ticket === null || (item.type !== "opened" && item.type !== "customer")) return;
    const t = await this.store.get(ticket);
    if (!t) return;
    // The customer would otherwise believe a person has their message.
    const text = systemMessage(this.o.bot, "deskTrouble", t.customer.locale).replaceAll(
      "{{number}}",
      String(t.number),
    );
    await this.c.tellCustomer(t, `trouble:${t.number}:${t.activity}`, text);
  }

  async close(force = false): Promise<void> {
    await this.timerWorker.close(force);
    await this.timers.close();
    await this.lanes.close(force);
  }
}

function describe(item: DeskItem): string {
  switch (item.type) {
    case "opened":
      return "opening its thread";
    case "customer":
      return "relaying a customer message";
    case "agent":
      return `an agent's ${item.event.type}`;
    case "timer":
      return `its ${item.kind} timer`;
    default:
      return item.type;
  }
}
