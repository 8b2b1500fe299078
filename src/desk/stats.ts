// Support metrics from the desk's counters: deflection, first response, resolution, CSAT, states.
import type { TicketStore } from "./store.ts";
import type { TicketStatus } from "./ticket.ts";

export interface DeskStats {
  /** Conversations the bot finished (resolved or not) without handing over. */
  botResolved: number;
  botUnresolved: number;
  escalated: number;
  /** Share of finished conversations resolved without a person, 0..1 (null before any). */
  deflection: number | null;
  avgFirstResponseSeconds: number | null;
  avgResolutionSeconds: number | null;
  csatAverage: number | null;
  csatCount: number;
  ticketsByState: Record<TicketStatus, number>;
  /** Customers an agent blocked (/block) and nobody unblocked yet. */
  blockedCustomers: number;
}

export async function deskStats(store: TicketStore): Promise<DeskStats> {
  const m = await store.metrics();
  const get = (k: string) => m[k] ?? 0;
  const finished = get("bot_resolved") + get("bot_unresolved") + get("escalated");
  const avg = (sum: string, count: string, scale = 1) =>
    get(count) > 0 ? Math.round((get(sum) / get(count) / scale) * 10) / 10 : null;
  return {
    botResolved: get("bot_resolved"),
    botUnresolved: get("bot_unresolved"),
    escalated: get("escalated"),
    deflection: finished > 0 ? Math.round((get("bot_resolved") / finished) * 1000) / 1000 : null,
    avgFirstResponseSeconds: avg("first_response_ms_sum", "first_response_count", 1000),
    avgResolutionSeconds: avg("resolution_ms_sum", "resolution_count", 1000),
    csatAverage: avg("csat_sum", "csat_count"),
    csatCount: get("csat_count"),
    ticketsByState: await store.countByStatus(),
    blockedCustomers: await store.blockedCount(),
  };
}
