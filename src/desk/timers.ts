// What the desk's delayed jobs do when they fire: the first-response reminder, the auto-close
// warning and close, and a retry of auto-assignment. A timer that no longer applies (the
// customer answered since, the ticket closed) does nothing.
import { type DeskContext, MINUTE } from "./context.ts";
import type { DeskItem } from "./items.ts";
import { closeTicket } from "./lifecycle.ts";
import { autoAssign, onShiftAgents } from "./routing.ts";
import { postOnce } from "./thread.ts";
import type { Ticket } from "./ticket.ts";

export async function onTimer(
  c: DeskContext,
  t: Ticket,
  item: Extract<DeskItem, { type: "timer" }>,
  stepId: string,
): Promise<void> {
  const { kind, activity } = item;
  if (t.status === "closed") {
    // A close whose announcements were cut short (rate limit, crash) is finished here.
    if (kind === "autoclose" && !t.closeAnnounced) await closeTicket(c, t, "auto");
    return;
  }
  const locale = t.customer.locale;
  if (kind === "assign") {
    if (c.config.assignment === "auto") await autoAssign(c, t, stepId);
    return;
  }
  if (kind === "sla") {
    if (t.firstResponseAt) return;
    const onShift = (await onShiftAgents(c, t)).map((a) => ({ agentId: a.id, name: a.alias }));
    const waited = Math.round((c.now() - t.createdAt) / MINUTE);
    await postOnce(c, t, `sla:${t.number}:${t.reopened}`, {
      text: `⏰ Ticket #${t.number} has waited ${waited} min without a reply.`,
      mentions: onShift,
    });
    const position = t.status === "queued" ? await c.store.position(t) : 1;
    await c.tellCustomer(
      t,
      `sla:${t.number}`,
      c.text("stillWorking", locale, { number: String(t.number), position: String(position) }),
    );
    return;
  }
  if (activity !== t.activity || t.status !== "waiting_customer") return; // the customer answered since
  if (kind === "autoclose_warn") {
    await c.tellCustomer(
      t,
      `warn:${t.number}:${activity}`,
      c.text("autoCloseWarning", locale, { minutes: String(c.config.autoCloseWarningMinutes) }),
    );
    await c.schedule(t, "autoclose", c.config.autoCloseWarningMinutes * MINUTE);
    return;
  }
  await closeTicket(c, t, "auto");
}
