// What every desk step needs: the stores, the workspace, the outbox, the settings, the clock,
// and the few helpers they all use (customer notices, timers, lanes). One object, passed to
// the small functions in the other files of this folder.
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { OutboundMessage } from "../core/types.ts";
import type { AgentWorkspace } from "../core/workspace.ts";
import type { ConversationStore } from "../engine/store.ts";
import { renderTemplate } from "../engine/template.ts";
import type { BotConfigDef } from "../flows/schema.ts";
import type { Outbox } from "../outbox/outbox.ts";
import type { RateLimiter } from "../outbox/rate-limit.ts";
import type { OrderedQueue } from "../queue/ordered-queue.ts";
import type { AgentDef, DeskConfigDef } from "./config.ts";
import type { DeskEvents } from "./events.ts";
import { isOpen } from "./hours.ts";
import { type DeskItem, laneOf, type TimerKind } from "./items.ts";
import type { TicketStore } from "./store.ts";
import type { Ticket } from "./ticket.ts";

export const MINUTE = 60_000;

/** What the desk is built from (createFrontline passes these). */
export interface DeskSettings {
  redis: Redis;
  prefix: string;
  bot: BotConfigDef;
  config: DeskConfigDef;
  outbox: Outbox;
  conversations: ConversationStore;
  workspace: AgentWorkspace;
  logger?: Logger;
  /** Whether a customer's text is only small talk ("thanks", "ok", "bye"): after a close it
   * does not reopen the ticket. Without it every message within the reopen window does. */
  isSmallTalk?: (text: string) => boolean;
}

/** What every step uses: the settings and the desk's own parts. */
export interface DeskDeps extends DeskSettings {
  store: TicketStore;
  limiter: RateLimiter;
  lanes: OrderedQueue<DeskItem>;
  timers: Queue;
  events: DeskEvents;
  now: () => number;
}

export class DeskContext {
  constructor(readonly d: DeskDeps) {}

  get store(): TicketStore {
    return this.d.store;
  }
  get config(): DeskConfigDef {
    return this.d.config;
  }
  get workspace(): AgentWorkspace {
    return this.d.workspace;
  }
  now(): number {
    return this.d.now();
  }

  /** A desk notice in the customer's language (the bot's default when it has none). */
  text(key: keyof DeskConfigDef["messages"], locale: string, vars: Record<string, string>): string {
    const t = this.d.config.messages[key] ?? {};
    return renderTemplate(t[locale] ?? t[this.d.bot.defaultLocale] ?? "", vars, {});
  }

  /** An optional desk message: the lead's own text in frontline.yaml, else the built-in one. */
  textOr(
    key: keyof DeskConfigDef["messages"],
    builtIn: Record<string, string>,
    locale: string,
    vars: Record<string, string> = {},
  ): string {
    const own = this.d.config.messages[key];
    const text = own?.[locale] ?? builtIn[locale] ?? own?.[this.d.bot.defaultLocale] ?? builtIn.en!;
    return renderTemplate(text, vars, {});
  }

  /** Sends to the customer through the outbox under a derived id: a re-run sends nothing new. */
  async tellCustomer(
    t: Ticket,
    id: string,
    text: string,
    buttons?: OutboundMessage["buttons"],
  ): Promise<void> {
    await this.d.outbox.enqueue(`desk:${id}`, t.customer.address, {
      text,
      ...(buttons ? { buttons } : {}),
    });
  }

  push(ticket: number, itemId: string, item: DeskItem): Promise<unknown> {
    return this.d.lanes.push(laneOf(ticket), itemId, item);
  }

  /** One timer per (ticket, kind, activity, reopen count): adding it again is a no-op. */
  async schedule(t: Ticket, kind: Exclude<TimerKind, "assign">, delayMs: number): Promise<void> {
    const item: DeskItem = { type: "timer", ticket: t.number, kind, activity: t.activity };
    await this.d.timers.add(kind, item, {
      jobId: `${kind}-${t.number}-${t.activity}-${t.reopened}`,
      delay: Math.max(0, Math.round(delayMs)),
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  isOpenAt(at: number): boolean {
    return isOpen(at, this.d.config.hours, this.d.config.timezone);
  }

  agent(agentId: string): AgentDef | undefined {
    return this.d.config.agents.find((a) => a.id === agentId);
  }

  async aliasOf(agentId: string, name: string): Promise<string> {
    return (await this.store.agentAlias(agentId)) ?? this.agent(agentId)?.alias ?? name;
  }
}
