// Who takes a ticket: round-robin among on-shift agents with the ticket's skill, the customer's
// language and free capacity; and the honest estimates the customer is given.
import type { AgentDef } from "./config.ts";
import { type DeskContext, MINUTE } from "./context.ts";
import { assign } from "./lifecycle.ts";
import type { Ticket } from "./ticket.ts";

export async function autoAssign(c: DeskContext, t: Ticket, stepId: string): Promise<void> {
  const key = `${stepId}:auto`;
  // A re-run after the assignment was applied finishes its announcements, nothing more.
  if (t.applied?.includes(`${key}:assign`) && t.agent) {
    await (await assign(c, t, key, t.agent, t.agent.alias))();
    return;
  }
  if (t.status !== "queued") return;
  const candidates: AgentDef[] = [];
  for (const a of await onShiftAgents(c, t))
    if ((await c.store.agentLoad(a.id)) < a.capacity) candidates.push(a);
  if (candidates.length === 0) return;
  const chosen = candidates[(await c.store.nextTurn()) % candidates.length]!;
  const alias = (await c.store.agentAlias(chosen.id)) ?? chosen.alias;
  await (await assign(c, t, key, { id: chosen.id, alias }, chosen.alias))();
}

/** When an agent frees up, the best queued ticket of their skills gets an assignment try. */
export async function offerNextTicket(c: DeskContext, agentId: string): Promise<void> {
  const agent = c.agent(agentId);
  if (!agent) return;
  const [next] = await c.store.queued(agent.skills);
  if (next !== undefined)
    await c.push(next, `assign:${next}:${c.now()}`, {
      type: "timer",
      ticket: next,
      kind: "assign",
      activity: -1,
    });
}

export async function onShiftAgents(c: DeskContext, t: Ticket): Promise<AgentDef[]> {
  if (!c.isOpenAt(c.now())) return [];
  const out: AgentDef[] = [];
  for (const a of c.config.agents) {
    if (!a.skills.includes(t.skill) || !a.languages.includes(t.customer.locale)) continue;
    if (await c.store.isAway(a.id)) continue;
    out.push(a);
  }
  return out;
}

/** Waits older than this say nothing about today's queue. */
const RECENT_WAIT_MS = 24 * 60 * MINUTE;

/**
 * An estimate only when it rests on real recent waits and someone can be on shift now
 * (business hours, and an on-shift agent with the skill and language when agents are listed);
 * otherwise the customer is told honestly that it cannot be estimated.
 */
export async function eta(
  c: DeskContext,
  t: Ticket,
  position: number,
  locale = t.customer.locale,
): Promise<string> {
  const wait = await c.store.recentWait();
  const staffed =
    c.isOpenAt(c.now()) && (c.config.agents.length === 0 || (await onShiftAgents(c, t)).length > 0);
  if (!wait || c.now() - wait.at > RECENT_WAIT_MS || !staffed) return noEstimate(c, locale);
  const minutes = Math.max(1, Math.round((wait.ms * position) / MINUTE));
  return c.text("minutes", locale, { n: String(minutes) });
}

const NO_ESTIMATE: Record<string, string> = {
  en: "hard to say right now",
  ru: "пока сложно сказать",
  pl: "trudno teraz powiedzieć",
  el: "δύσκολο να πω αυτή τη στιγμή",
};

function noEstimate(c: DeskContext, locale: string): string {
  return c.textOr("noEstimate", NO_ESTIMATE, locale);
}
