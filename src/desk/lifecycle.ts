// A ticket's lifecycle steps: opening, assigning, reopening, rating, closing, transferring.
// Each step is safe to run again for the same item: the state change is applied once (keyed
// by the item id, committed with its counts and transcript lines), and every side effect has a
// derived id (customer notices through the outbox, thread posts marked done).
import { type DeskContext, MINUTE } from "./context.ts";
import { leaveButton } from "./customer-side.ts";
import { nextOpening } from "./hours.ts";
import { describeMoment } from "./hours-text.ts";
import { autoAssign, eta, offerNextTicket } from "./routing.ts";
import { closeThread, ensureThread, postOnce, reopenThread, showStatus } from "./thread.ts";
import { type Ticket, type TicketAgent, transition } from "./ticket.ts";

export async function onOpened(c: DeskContext, t: Ticket, stepId: string): Promise<void> {
  // The customer escalated again while an agent was closing this ticket: it is theirs again.
  if (t.status === "closed") await reopen(c, t, stepId, "a new request of the customer");
  await ensureThread(c, t);
  const locale = t.customer.locale;
  const now = c.now();
  const openedId = `opened:${t.number}:${t.reopened}`;
  if (c.isOpenAt(now)) {
    const position = await c.store.position(t);
    await c.tellCustomer(
      t,
      openedId,
      c.text("ticketOpened", locale, {
        number: String(t.number),
        position: String(position),
        eta: await eta(c, t, position),
      }),
      [leaveButton(locale)],
    );
    await c.schedule(t, "sla", c.config.firstResponseSlaMinutes * MINUTE);
  } else {
    const back = nextOpening(now, c.config.hours, c.config.timezone);
    const when = back ? describeMoment(back, locale, c.config.timezone) : "—";
    await c.tellCustomer(
      t,
      openedId,
      c.text("outOfHours", locale, { number: String(t.number), back: when }),
      [leaveButton(locale)],
    );
    if (back) await c.schedule(t, "sla", back - now + c.config.firstResponseSlaMinutes * MINUTE);
  }
  if (await c.store.apply(t, `${stepId}:announced`, () => undefined))
    c.d.events.ticketOpened?.({
      ticket: t.number,
      skill: t.skill,
      locale,
      channel: t.customer.address.channel,
    });
  if (c.config.assignment === "auto") await autoAssign(c, t, stepId);
}

/**
 * Gives the ticket to an agent and tells the customer at once. Returns the workspace updates
 * (a note in the thread, its status) to run after anything more urgent, such as the agent's
 * first reply, which should not wait on two more platform calls.
 */
export async function assign(
  c: DeskContext,
  t: Ticket,
  stepId: string,
  agent: TicketAgent,
  name: string,
): Promise<() => Promise<void>> {
  const key = `${stepId}:assign`;
  const nothing = async () => {};
  if (!t.applied?.includes(key)) {
    if (t.agent && t.agent.id !== agent.id) {
      await postOnce(c, t, `${key}:taken`, {
        text: `#${t.number} is already with ${t.agent.alias}. ${name}, use /transfer to take it over.`,
      });
      return nothing;
    }
    if (t.agent || t.status === "closed") return nothing;
    const now = c.now();
    const previous = (await c.store.recentWait())?.ms ?? null;
    const waited = now - t.createdAt;
    await c.store.apply(t, key, (x) => {
      transition(x, "assigned", now);
      x.agent = agent;
      x.assignedAt = now;
      return {
        waitAverageMs: previous === null ? waited : previous * 0.8 + waited * 0.2,
        log: [{ at: now, from: "system", text: `assigned to ${agent.alias}` }],
      };
    });
    c.d.events.ticketAssigned?.({ ticket: t.number, agentId: agent.id, waitedMs: waited });
  }
  const holder = t.agent ?? agent;
  await c.tellCustomer(
    t,
    `joined:${t.number}:${holder.id}:${t.reopened}`,
    c.text("agentJoined", t.customer.locale, { agent: holder.alias }),
  );
  await c.store.setAgentTicket(holder.id, t.number, true);
  return async () => {
    await postOnce(c, t, `${key}:note`, {
      text: `✋ ${name} took #${t.number}; the customer sees “${holder.alias}”.`,
    });
    await showStatus(c, t);
  };
}

/** Reopens a closed ticket: the conversation goes back to the person, the thread opens again. */
export async function reopen(c: DeskContext, t: Ticket, stepId: string, by: string): Promise<void> {
  const now = c.now();
  await c.store.apply(t, `${stepId}:reopen`, (x) => {
    if (x.status !== "closed") return;
    transition(x, x.agent ? "assigned" : "queued", now);
    return { log: [{ at: now, from: "system", text: `reopened by ${by}` }] };
  });
  if (t.status === "closed") return;
  if (t.agent) await c.store.setAgentTicket(t.agent.id, t.number, true);
  await c.d.conversations.mutate(t.conversationKey, (s) => {
    s.mode = "agent";
    s.agentAcknowledged = true;
    const { last: _closed, ...rest } = s.desk ?? {};
    s.desk = { ...rest, ticket: t.number };
  });
  await reopenThread(c, t);
  await showStatus(c, t);
  if (c.config.assignment === "auto") await autoAssign(c, t, stepId);
}

export async function rate(
  c: DeskContext,
  t: Ticket,
  stepId: string,
  score?: number,
  comment?: string,
): Promise<void> {
  const now = c.now();
  const first = score !== undefined && !t.csat;
  const applied = await c.store.apply(t, `${stepId}:rate`, (x) => {
    const counts: Record<string, number> = {};
    if (score !== undefined && !x.csat) {
      x.csat = { score, at: now };
      counts.csat_sum = score;
      counts.csat_count = 1;
    }
    if (comment === undefined || !x.csat) return { counts };
    x.csat.comment = comment;
    return { counts, log: [{ at: now, from: "customer", text: `rating comment: ${comment}` }] };
  });
  if (applied && first && score !== undefined)
    c.d.events.ticketRated?.({ ticket: t.number, score });
}

/**
 * Closes in two halves, each safe to run again: the state change (conversation handed back
 * to the bot first, so a crash can never leave it waiting on a person with no ticket), then
 * the announcements, marked done only when all of them went out.
 */
type ClosedBy = "agent" | "auto" | "customer";

const CLOSE_LOG: Record<ClosedBy, (t: Ticket) => string> = {
  agent: (t) => `closed by ${t.agent?.alias ?? "an agent"}`,
  auto: () => "closed after inactivity",
  customer: (t) =>
    t.agent
      ? `ended by the customer while with ${t.agent.alias}`
      : "withdrawn: the customer left the queue",
};

/**
 * Closes in two halves, each safe to run again: the state change (conversation handed back
 * to the bot first, so a crash can never leave it waiting on a person with no ticket), then
 * the announcements, marked done only when all of them went out.
 */
export async function closeTicket(c: DeskContext, t: Ticket, by: ClosedBy): Promise<void> {
  const closeId = `close:${t.number}:${t.reopened}`;
  if (t.status !== "closed") {
    const now = c.now();
    let held = false;
    await c.d.conversations.mutate(t.conversationKey, (s) => {
      // Only while the conversation still waits on this ticket: a customer who left the queue
      // is with the bot already (maybe mid-flow), and must not be pulled out of it.
      held = s.desk?.ticket === t.number || (s.desk?.ticket === undefined && s.mode === "agent");
      if (!held) return;
      s.mode = "bot";
      s.flowId = null;
      s.stepId = null;
      const { ticket: _open, ...rest } = s.desk ?? {};
      s.desk = { ...rest, last: { ticket: t.number, closedAt: now, closedBy: by } };
    });
    await c.store.apply(t, closeId, (x) => {
      transition(x, "closed", now);
      x.closedBy = by;
      x.closeAnnounced = false;
      if (!held) x.customerLeft = true;
      // A withdrawn ticket is not a resolution: it is counted apart.
      const counts: Record<string, number> =
        by === "customer"
          ? { withdrawn: 1 }
          : { closed: 1, resolution_ms_sum: now - x.createdAt, resolution_count: 1 };
      return {
        counts,
        ...(x.agent ? { agentFreed: x.agent.id } : {}),
        log: [{ at: now, from: "system", text: CLOSE_LOG[by](x) }],
      };
    });
    c.d.events.ticketClosed?.({ ticket: t.number, by, resolutionMs: now - t.createdAt });
  }
  if (t.closeAnnounced) return;
  await announceClose(c, t, closeId);
  t.closeAnnounced = true;
  await c.store.save(t);
  if (c.config.assignment === "auto" && t.agent) await offerNextTicket(c, t.agent.id);
}

async function announceClose(c: DeskContext, t: Ticket, closeId: string): Promise<void> {
  // The customer who left the queue heard it in their own turn; nobody asks them to rate.
  if (t.closedBy !== "customer" && !t.customerLeft)
    await c.tellCustomer(
      t,
      closeId,
      c.text("closed", t.customer.locale, { number: String(t.number) }),
      [1, 2, 3, 4, 5].map((n) => ({ label: "★".repeat(n), payload: `csat:${t.number}:${n}` })),
    );
  const note: Record<ClosedBy, string> = {
    agent: "Closed. The customer was asked to rate the help.",
    auto: `Closed after ${c.config.autoCloseAfterMinutes} min without an answer.`,
    customer: t.agent
      ? "↩ The customer ended the conversation and went back to the bot; the ticket is closed."
      : "↩ The customer left the queue and went back to the bot; the ticket is withdrawn.",
  };
  await postOnce(c, t, `${closeId}:note`, { text: note[t.closedBy ?? "agent"] });
  await showStatus(c, t);
  await closeThread(c, t);
}

export async function transfer(
  c: DeskContext,
  t: Ticket,
  stepId: string,
  target: string,
): Promise<void> {
  const key = `${stepId}:transfer`;
  if (t.status === "closed" && !t.applied?.includes(key)) {
    await postOnce(c, t, `${key}:closed`, { text: `#${t.number} is closed; /reopen it first.` });
    return;
  }
  const agent = c.config.agents.find((a) => a.alias.toLowerCase() === target.toLowerCase());
  const now = c.now();
  // The previous holder and skill are read inside the change, which runs once: a re-run after
  // it committed must not see the new values and skip freeing the old ones.
  await c.store.apply(t, key, (x) => {
    const freed = x.agent?.id;
    const left = x.skill;
    if (!agent) x.skill = target.toLowerCase();
    transition(x, "queued", now);
    return {
      ...(freed ? { agentFreed: freed } : {}),
      leftQueue: left,
      log: [
        {
          at: now,
          from: "system",
          text: agent ? `transferred to ${agent.alias}` : `transferred to skill ${x.skill}`,
        },
      ],
    };
  });
  if (agent) {
    const alias = (await c.store.agentAlias(agent.id)) ?? agent.alias;
    await (await assign(c, t, key, { id: agent.id, alias }, agent.alias))();
    return;
  }
  await postOnce(c, t, `${key}:note`, { text: `↪ Transferred to ${t.skill}; back in the queue.` });
  await showStatus(c, t);
  if (c.config.assignment === "auto") await autoAssign(c, t, key);
}
