// What travels through a ticket's lane: every change to one ticket is one of these, processed
// in order, one at a time, whatever replica picks it up.
import type { Address, MediaRef } from "../core/types.ts";
import type { AgentEvent } from "../core/workspace.ts";

export type TimerKind = "sla" | "autoclose_warn" | "autoclose" | "assign";

export type DeskItem =
  | { type: "opened"; ticket: number }
  | {
      type: "customer";
      ticket: number;
      text: string;
      media?: MediaRef[];
      at: number;
      /** Whose message it is, so it can be handed back to the bot if the ticket is gone. */
      conversationKey?: string;
      address?: Address;
    }
  | { type: "agent"; ticket: number | null; event: AgentEvent }
  | { type: "notice"; ticket: number; text: string }
  | { type: "reopen"; ticket: number }
  /** The customer left the queue (/cancel, "Back to the bot"). */
  | { type: "withdraw"; ticket: number }
  | { type: "rating"; ticket: number; score?: number; comment?: string }
  /** The customer chose another language while the ticket is open: its notices follow. */
  | { type: "locale"; ticket: number; locale: string }
  | { type: "timer"; ticket: number; kind: TimerKind; activity: number };

export function laneOf(ticket: number): string {
  return `ticket:${ticket}`;
}
