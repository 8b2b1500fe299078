// Messages between the customer and the person: the customer's into the ticket's thread, the
// agent's to the customer under their pseudonym. Each relay is applied and posted once.
import type { AgentEvent } from "../core/workspace.ts";
import { type DeskContext, MINUTE } from "./context.ts";
import type { DeskItem } from "./items.ts";
import { assign, reopen } from "./lifecycle.ts";
import { postOnce } from "./thread.ts";
import { type Ticket, transition } from "./ticket.ts";

export async function relayFromCustomer(
  c: DeskContext,
  t: Ticket,
  item: Extract<DeskItem, { type: "customer" }>,
  stepId: string,
): Promise<void> {
  if (t.status === "closed" || t.applied?.includes(`${stepId}:raced`)) {
    // The message crossed a close (the customer wrote while the agent closed): it is for the
    // person, so the ticket reopens and the customer hears it, rather than the bot taking it.
    await c.store.apply(t, `${stepId}:raced`, () => undefined);
    await reopen(c, t, stepId, "the customer");
    await c.tellCustomer(
      t,
      `reopened:${stepId}`,
      c.text("reopened", t.customer.locale, { number: String(t.number) }),
    );
  }
  const now = c.now();
  await c.store.apply(t, `${stepId}:in`, (x) => {
    x.activity += 1;
    x.lastActivityAt = now;
    if (x.status === "waiting_customer") transition(x, "assigned", now);
    return {
      log: [
        {
          at: item.at,
          from: "customer",
          text: item.text,
          ...(item.media?.length ? { attachments: item.media.length } : {}),
        },
      ],
    };
  });
  const name = t.customer.user.name || "Customer";
  for (const [i, media] of (item.media ?? []).entries())
    await postOnce(c, t, `${stepId}:media${i ? `:${i}` : ""}`, { text: item.text, media });
  if (item.text.trim() || !item.media?.length)
    await postOnce(c, t, `${stepId}:text`, { text: `👤 ${name}: ${item.text || "[media]"}` });
}

export async function replyFromAgent(
  c: DeskContext,
  t: Ticket,
  e: Extract<AgentEvent, { type: "message" }>,
  stepId: string,
): Promise<void> {
  const now = c.now();
  const text = e.text;
  if (text.startsWith("//")) {
    await c.store.apply(t, `${stepId}:note`, () => ({
      log: [{ at: now, from: "note", text: text.slice(2).trim(), by: e.agentId }],
    }));
    return;
  }
  if (t.status === "closed" && !t.applied?.includes(`${stepId}:reply`)) {
    await postOnce(c, t, `${stepId}:closed`, {
      text: "This ticket is closed; /reopen it to write to the customer.",
    });
    return;
  }
  const alias = await c.aliasOf(e.agentId, e.agentName);
  const announce =
    !t.agent || t.applied?.includes(`${stepId}:assign`)
      ? await assign(c, t, stepId, { id: e.agentId, alias }, e.agentName)
      : undefined;
  await c.d.outbox.enqueue(
    `agent:${e.idempotencyKey}`,
    t.customer.address,
    e.media ? { text, media: e.media } : { text: `${alias}: ${text}` },
  );
  await c.store.apply(t, `${stepId}:reply`, (x) => {
    const counts: Record<string, number> = {};
    if (!x.firstResponseAt) {
      x.firstResponseAt = now;
      counts.first_response_ms_sum = now - x.createdAt;
      counts.first_response_count = 1;
    }
    x.activity += 1;
    x.lastActivityAt = now;
    if (x.status === "assigned") transition(x, "waiting_customer", now);
    return {
      counts,
      log: [
        {
          at: now,
          from: "agent",
          text: text || "[media]",
          by: alias,
          attachments: e.media ? 1 : 0,
        },
      ],
    };
  });
  const idle = c.config.autoCloseAfterMinutes * MINUTE;
  await c.schedule(
    t,
    "autoclose_warn",
    Math.max(0, idle - c.config.autoCloseWarningMinutes * MINUTE),
  );
  await announce?.();
}
