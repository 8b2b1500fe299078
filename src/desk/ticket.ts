// A ticket and its lifecycle. Every state change goes through `transition`, the one place
// that knows which moves are allowed.
import { FrontlineError } from "../core/errors.ts";
import type { Address, Priority, UserRef } from "../core/types.ts";
import type { TicketHeader } from "../core/workspace.ts";

export type TicketStatus = "queued" | "assigned" | "waiting_customer" | "closed";

export interface TicketAgent {
  /** Platform account, e.g. "telegram:777". */
  id: string;
  alias: string;
}

export interface Ticket {
  number: number;
  conversationKey: string;
  customer: { address: Address; user: UserRef; locale: string };
  skill: string;
  priority: Priority;
  reason: string;
  flowId: string;
  tried: string[];
  vars: Record<string, string>;
  status: TicketStatus;
  agent?: TicketAgent;
  /** The ticket's place in the agent chat (forum topic, Discord thread), keyed by workspace. */
  workspace?: { id: string; threadId: string; cardMessageId?: string };
  /** Earlier tickets of the same customer when this one opened (shown on the card). */
  history?: { count: number; last?: number };
  createdAt: number;
  assignedAt?: number;
  firstResponseAt?: number;
  closedAt?: number;
  lastActivityAt: number;
  /** Bumped on every customer or agent message; timers carry it to tell if they are stale. */
  activity: number;
  reopened: number;
  openedOutOfHours: boolean;
  csat?: { score: number; comment?: string; at: number };
  /** Who closed it: an agent, the inactivity timer, or the customer leaving the queue. */
  closedBy?: "agent" | "auto" | "customer";
  /** The close was told to the customer and the agents (set last, so a retry finishes it). */
  closeAnnounced?: boolean;
  /** The customer had left the queue (or moved on) when it closed: no close notice, no stars. */
  customerLeft?: boolean;
  /** Desk items whose state change this ticket already holds: a retried item skips it. */
  applied?: string[];
}

const allowed: Record<TicketStatus, TicketStatus[]> = {
  queued: ["assigned", "closed"],
  assigned: ["waiting_customer", "queued", "closed"],
  waiting_customer: ["assigned", "queued", "closed"],
  closed: ["queued", "assigned"],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return from === to || allowed[from].includes(to);
}

export function transition(ticket: Ticket, to: TicketStatus, now: number): void {
  if (!canTransition(ticket.status, to)) {
    throw new FrontlineError(
      "FL_ERR_INPUT",
      `ticket #${ticket.number} cannot go from ${ticket.status} to ${to}`,
    );
  }
  if (to === "closed") ticket.closedAt = now;
  if (ticket.status === "closed" && to !== "closed") {
    ticket.reopened += 1;
    delete ticket.closedAt;
    delete ticket.csat;
    delete ticket.closeAnnounced;
  }
  if (to === "queued") {
    delete ticket.agent;
    delete ticket.assignedAt;
  }
  ticket.status = to;
}

export function topicTitle(t: Ticket, maxLength: number): string {
  const state = t.status === "closed" ? "✅" : t.status === "queued" ? "🆕" : "💬";
  const who = t.customer.user.name?.slice(0, 40) || "customer";
  const title = `${state} #${t.number} ${who} · ${t.skill} · ${t.customer.locale}${t.agent ? ` · ${t.agent.alias}` : ""}`;
  return [...title].slice(0, maxLength).join("");
}

export function headerOf(t: Ticket, titleLength: number): TicketHeader {
  return {
    number: t.number,
    title: topicTitle(t, titleLength),
    status: t.status,
    skill: t.skill,
    locale: t.customer.locale,
    ...(t.agent ? { agentAlias: t.agent.alias } : {}),
  };
}

export const priorityRank: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
