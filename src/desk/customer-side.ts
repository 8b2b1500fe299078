// The desk's part of a customer's turn. The middleware decides, inside the turn (its changes
// to the conversation commit with it): ratings and their comments, /status, a message for the
// person handling the ticket, a message that reopens a just-closed ticket, a blocked customer.
// `afterTurn` then does the work with side effects, idempotently: opening the ticket, pushing
// relays, ratings and reopens into the ticket's lane.
import type { InboundEvent, MediaRef } from "../core/types.ts";
import type { TurnContext } from "../engine/middleware.ts";
import type { DeskMemory } from "../engine/state.ts";
import { renderTemplate } from "../engine/template.ts";
import type { TurnEffect, TurnResult } from "../engine/turn.ts";
import { systemLabel, systemMessage } from "../flows/system-messages.ts";
import { type DeskContext, MINUTE } from "./context.ts";
import { eta } from "./routing.ts";

const CSAT_PAYLOAD = /^csat:(\d+):([1-5])$/;
/** How long after pressing a star the customer's next text counts as the rating comment. */
const CSAT_COMMENT_WINDOW_MS = 10 * MINUTE;
/** Longest customer text kept for the person handling a ticket. */
const MAX_RELAY_CHARS = 16_000;

type DeskEffect =
  | { type: "desk.relay"; ticket?: number; text: string; media?: MediaRef[] }
  | { type: "desk.withdraw"; ticket?: number }
  | { type: "desk.rating"; ticket: number; score?: number; comment?: string }
  | { type: "desk.reopen"; ticket: number }
  | { type: "desk.locale"; ticket: number; locale: string };

/** One decision of the desk's middleware; true when it answered the turn itself. */
type Rule = (turn: DeskTurn) => boolean | Promise<boolean>;

interface DeskTurn {
  c: DeskContext;
  ctx: TurnContext;
  memory: DeskMemory;
  say(text: string): void;
  act(name: string, ...effects: DeskEffect[]): void;
}

/** A blocked customer is told once; nothing of theirs goes further. */
const blocked: Rule = ({ c, ctx, memory, say, act }) => {
  if (!memory.blocked) return false;
  if (!memory.blocked.notified) say(systemMessage(c.d.bot, "blocked", ctx.state.locale));
  memory.blocked.notified = true;
  act("desk.blocked");
  return true;
};

/** A star under the close notice; only the customer's own last closed ticket can be rated. */
const ratingButton: Rule = ({ c, ctx, memory, say, act }) => {
  const m = ctx.event.type === "button" ? CSAT_PAYLOAD.exec(ctx.event.payload) : null;
  if (!m || memory.last?.ticket !== Number(m[1])) return false;
  memory.csatPending = { ticket: Number(m[1]), until: c.now() + CSAT_COMMENT_WINDOW_MS };
  say(c.text("csatComment", ctx.state.locale, {}));
  act("desk.csat", { type: "desk.rating", ticket: Number(m[1]), score: Number(m[2]) });
  return true;
};

/** /status any time; /human while already waiting says where they stand, not a false "passed". */
const status: Rule = async ({ c, ctx, memory, say, act }) => {
  const e = ctx.event;
  const asks =
    e.type === "command" &&
    (e.command === "status" || (e.command === "human" && ctx.state.mode === "agent"));
  if (!asks) return false;
  say(await statusText(c, memory.ticket, ctx.state.locale));
  act("desk.status");
  return true;
};

/** With a person: the message is for them (acknowledged once per escalation, saying honestly
 * whether someone has the request yet). */
const forThePerson: Rule = async ({ c, ctx, memory, say, act }) => {
  const { event, state } = ctx;
  if (state.mode !== "agent" || (event.type !== "message" && event.type !== "edit")) return false;
  if (!state.agentAcknowledged) say(await relayAcknowledgement(c, memory.ticket, state.locale));
  state.agentAcknowledged = true;
  const text = event.text.slice(0, MAX_RELAY_CHARS);
  const media = event.type === "message" ? event.attachments : undefined;
  act("desk.relay", {
    type: "desk.relay",
    ...(memory.ticket ? { ticket: memory.ticket } : {}),
    text: event.type === "edit" ? `(edited) ${text}` : text,
    ...(media ? { media } : {}),
  });
  return true;
};

/** The text after a star is the rating's comment. */
const ratingComment: Rule = ({ c, ctx, memory, say, act }) => {
  const pending = memory.csatPending;
  const event = ctx.event;
  if (!pending || event.type !== "message" || pending.until <= c.now() || !event.text.trim())
    return false;
  delete memory.csatPending;
  say(c.text("csatThanks", ctx.state.locale, {}));
  act("desk.csat", {
    type: "desk.rating",
    ticket: pending.ticket,
    comment: event.text.slice(0, 2000),
  });
  return true;
};

/**
 * Soon after an agent closed the ticket the customer is still on the same matter: the
 * conversation goes back to the person, and the ticket's lane reopens the ticket and then
 * relays the message, in that order.
 */
const reopenRecent: Rule = ({ c, ctx, memory, say, act }) => {
  const { event, state } = ctx;
  const last = memory.last;
  if (event.type !== "message" || last?.closedBy !== "agent") return false;
  if (c.now() - last.closedAt >= c.config.reopenWindowMinutes * MINUTE) return false;
  // "Thanks!" after the close is a goodbye, not more of the same matter: the bot answers it.
  if (!event.attachments?.length && c.d.isSmallTalk?.(event.text)) return false;
  state.mode = "agent";
  state.agentAcknowledged = true;
  delete memory.last;
  memory.ticket = last.ticket;
  say(c.text("reopened", state.locale, { number: String(last.ticket) }));
  const text = event.text.slice(0, MAX_RELAY_CHARS);
  act(
    "desk.reopen",
    { type: "desk.reopen", ticket: last.ticket },
    {
      type: "desk.relay",
      ticket: last.ticket,
      text,
      ...(event.attachments ? { media: event.attachments } : {}),
    },
  );
  return true;
};

const LEAVE = "desk:leave";
/** "Back to the bot" confirmed while an agent has the request. */
const END = "desk:end";
const STAY = "desk:stay";
/** Commands that make sense while waiting for a person; others would start bot flows. */
const WHILE_WAITING = new Set(["status", "help", "language", "human", "cancel"]);

/** /cancel, or "Back to the bot": the customer leaves the queue; the ticket is withdrawn. */
const leaveQueue: Rule = async ({ c, ctx, memory, say, act }) => {
  const { event, state } = ctx;
  const button = event.type === "button" ? event.payload : undefined;
  const asked =
    (event.type === "command" && event.command === "cancel") || button === LEAVE || button === END;
  if (!asked || state.mode !== "agent") return false;
  const ticket = memory.ticket;
  const agent = await agentOf(c, ticket);
  // The ticket notice's "Back to the bot" may be tapped long after an agent took over: a live
  // conversation ends only when the customer confirms it (or types /cancel).
  if (agent && button === LEAVE) {
    ctx.replies.push(leaveQuestion(c, state.locale, String(ticket ?? ""), agent));
    act("desk.ask-leave");
    return true;
  }
  state.mode = "bot";
  state.flowId = null;
  state.stepId = null;
  delete memory.ticket;
  say(
    renderTemplate(
      systemMessage(c.d.bot, agent ? "leftAgent" : "leftQueue", state.locale),
      { number: String(ticket ?? ""), agent: agent ?? "" },
      {},
    ),
  );
  // Without a number (an older conversation state) the after-turn work finds the open ticket.
  act("desk.leave", { type: "desk.withdraw", ...(ticket !== undefined ? { ticket } : {}) });
  return true;
};

/** "Stay in the queue", or a bot command or button while waiting: ask before leaving. */
const whileWaiting: Rule = async ({ c, ctx, memory, act }) => {
  const { event, state } = ctx;
  if (state.mode !== "agent") return false;
  const number = String(memory.ticket ?? "");
  const botAction =
    (event.type === "command" && !WHILE_WAITING.has(event.command)) ||
    (event.type === "button" && !event.payload.startsWith("lang:"));
  if (!botAction) return false;
  // Once an agent has the request the customer is in a conversation, not a queue.
  const agent = await agentOf(c, memory.ticket);
  const vars = { number, agent: agent ?? "" };
  if (event.type === "button" && event.payload === STAY) {
    ctx.replies.push({
      text: renderTemplate(
        systemMessage(c.d.bot, agent ? "stayWithAgent" : "stayInQueue", state.locale),
        vars,
        {},
      ),
    });
    act("desk.stay");
    return true;
  }
  const star = event.type === "button" ? CSAT_PAYLOAD.exec(event.payload) : null;
  if (star && Number(star[1]) === memory.ticket) {
    // A star under an earlier close of this (reopened) ticket: a rating, not a bot button.
    ctx.replies.push({ text: c.text("csatThanks", state.locale, {}) });
    act("desk.csat", { type: "desk.rating", ticket: Number(star[1]), score: Number(star[2]) });
    return true;
  }
  ctx.replies.push(leaveQuestion(c, state.locale, number, agent));
  act("desk.ask-leave");
  return true;
};

/** "Leave the queue?" (or, with an agent, "end that conversation?"), with its two buttons. */
function leaveQuestion(c: DeskContext, locale: string, number: string, agent?: string) {
  return {
    text: renderTemplate(
      systemMessage(c.d.bot, agent ? "leaveAgentQuestion" : "leaveQueueQuestion", locale),
      { number, agent: agent ?? "" },
      {},
    ),
    buttons: [
      { label: systemLabel("leaveQueue", locale), payload: agent ? END : LEAVE },
      { label: systemLabel(agent ? "stayWithAgent" : "stay", locale), payload: STAY },
    ],
  };
}

/** The alias of the agent who has the request, if anyone has it yet. */
async function agentOf(c: DeskContext, ticket: number | undefined): Promise<string | undefined> {
  if (ticket === undefined) return undefined;
  const t = await c.store.get(ticket);
  return t && t.status !== "closed" ? t.agent?.alias : undefined;
}

/** The buttons under the ticket notice: the way back to the bot is always one tap away. */
export function leaveButton(locale: string) {
  return { label: systemLabel("leaveQueue", locale), payload: LEAVE };
}

/** In this order; the first rule that answers ends the turn, else the flows decide. */
const RULES: Rule[] = [
  blocked,
  ratingButton,
  status,
  leaveQueue,
  whileWaiting,
  forThePerson,
  ratingComment,
  reopenRecent,
];

export function deskMiddleware(c: DeskContext) {
  return async (ctx: TurnContext, next: () => Promise<void>): Promise<void> => {
    ctx.state.desk ??= {};
    const turn: DeskTurn = {
      c,
      ctx,
      memory: ctx.state.desk,
      say: (text) => ctx.replies.push({ text }),
      act: (name, ...effects) => {
        ctx.handledBy.push(name);
        ctx.effects.push(...(effects as TurnEffect[]));
      },
    };
    for (const rule of RULES) if (await rule(turn)) return;
    const locale = ctx.state.locale;
    await next();
    // /language while a ticket is open: the desk's notices, status and ratings follow it.
    const ticket = ctx.state.mode === "agent" ? turn.memory.ticket : undefined;
    if (ticket !== undefined && ctx.state.locale !== locale)
      turn.act("desk.locale", { type: "desk.locale", ticket, locale: ctx.state.locale });
  };
}

const RELAY_QUEUED: Record<string, string> = {
  en: "Got it — your message is added to request #{{number}}. Whoever takes it will see everything you write here.",
  ru: "Принято — сообщение добавлено к обращению №{{number}}. Сотрудник, который его возьмёт, увидит всё, что Вы здесь напишете.",
  pl: "Przyjęte — wiadomość dołączono do zgłoszenia nr {{number}}. Osoba, która je przejmie, zobaczy wszystko, co tu napiszesz.",
  el: "Εντάξει — το μήνυμα προστέθηκε στο αίτημα #{{number}}. Όποιος το αναλάβει θα δει ό,τι γράψετε εδώ.",
};
const RELAY_ASSIGNED: Record<string, string> = {
  en: "Got it — {{agent}} will see your message.",
  ru: "Принято — {{agent}} увидит Ваше сообщение.",
  pl: "Przyjęte — {{agent}} zobaczy Twoją wiadomość.",
  el: "Εντάξει — ο/η {{agent}} θα δει το μήνυμά σας.",
};

/** "Passed to the person handling your request" only once a person has it: before that, the
 * message joins the request that waits in the queue. */
async function relayAcknowledgement(
  c: DeskContext,
  number: number | undefined,
  locale: string,
): Promise<string> {
  const t = number === undefined ? null : await c.store.get(number);
  if (!t) {
    const w = c.d.bot.messages.withAgent;
    return w[locale] ?? w[c.d.bot.defaultLocale] ?? "";
  }
  return t.agent
    ? c.textOr("relayAssigned", RELAY_ASSIGNED, locale, { agent: t.agent.alias })
    : c.textOr("relayQueued", RELAY_QUEUED, locale, { number: String(t.number) });
}

async function statusText(c: DeskContext, ticket: number | undefined, locale: string) {
  const t = ticket === undefined ? null : await c.store.get(ticket);
  if (!t || t.status === "closed") return c.text("statusNone", locale, {});
  if (t.agent)
    return c.text("statusAssigned", locale, { number: String(t.number), agent: t.agent.alias });
  const position = await c.store.position(t);
  return c.text("statusQueued", locale, {
    number: String(t.number),
    position: String(position),
    eta: await eta(c, t, position, locale),
  });
}

/** After the turn committed: open the ticket, push relays, ratings and reopens. Idempotent. */
export async function deskAfterTurn(
  c: DeskContext,
  event: InboundEvent,
  result: TurnResult,
): Promise<void> {
  if (!result.replayed && result.ended)
    await c.store.count(result.ended === "resolved" ? "bot_resolved" : "bot_unresolved");
  if (result.escalation) await openTicket(c, result);
  for (const [i, effect] of (result.effects ?? []).entries()) {
    const e = effect as DeskEffect;
    const id = `${event.idempotencyKey}:${i}`;
    if (e.type === "desk.rating")
      await c.push(e.ticket, id, {
        type: "rating",
        ticket: e.ticket,
        ...(e.score !== undefined ? { score: e.score } : {}),
        ...(e.comment !== undefined ? { comment: e.comment } : {}),
      });
    else if (e.type === "desk.reopen")
      await c.push(e.ticket, id, { type: "reopen", ticket: e.ticket });
    else if (e.type === "desk.locale")
      await c.push(e.ticket, id, { type: "locale", ticket: e.ticket, locale: e.locale });
    else if (e.type === "desk.withdraw") {
      const ticket = e.ticket ?? (await c.store.openTicketOf(event.conversationKey))?.number;
      if (ticket !== undefined) await c.push(ticket, id, { type: "withdraw", ticket });
    } else if (e.type === "desk.relay") await relay(c, event, e, id);
  }
}

async function openTicket(c: DeskContext, result: TurnResult): Promise<void> {
  const e = result.escalation!;
  const now = c.now();
  const { ticket } = await c.store.openFor(
    e.conversationKey,
    (number) => ({
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
      openedOutOfHours: !c.isOpenAt(now),
    }),
    {
      counts: { escalated: 1 },
      log: [{ at: now, from: "system", text: `escalated by flow ${e.flowId}: ${e.reason}` }],
    },
  );
  await c.d.conversations.mutate(e.conversationKey, (s) => {
    const { last: _closed, csatPending: _rating, ...rest } = s.desk ?? {};
    s.desk = { ...rest, ticket: ticket.number };
  });
  // Keyed by the escalating event, not the ticket: an escalation that finds the ticket still
  // open (an agent is closing it right now) gets its own item, which reopens it if need be.
  await c.push(ticket.number, `open:${ticket.number}:${result.idempotencyKey}`, {
    type: "opened",
    ticket: ticket.number,
  });
}

async function relay(
  c: DeskContext,
  event: InboundEvent,
  e: Extract<DeskEffect, { type: "desk.relay" }>,
  id: string,
): Promise<void> {
  // The ticket the conversation was with; an older state may not know it, then the store does.
  const ticket =
    e.ticket ??
    (await c.store.openTicketOf(event.conversationKey))?.number ??
    (await c.store.lastTicketOf(event.conversationKey))?.number;
  if (ticket === undefined) {
    // With a person but no ticket at all (data erased, or expired): the bot takes over again,
    // and the customer hears it rather than write into the void.
    await c.d.conversations.mutate(event.conversationKey, (s) => {
      s.mode = "bot";
    });
    await c.d.outbox.enqueue(`${id}:noticket`, event.address, {
      text: c.text("statusNone", event.user.locale ?? c.d.bot.defaultLocale, {}),
    });
    return;
  }
  await c.push(ticket, id, {
    type: "customer",
    ticket,
    text: e.text,
    ...(e.media?.length ? { media: e.media } : {}),
    at: event.at,
    conversationKey: event.conversationKey,
    address: event.address,
  });
}
