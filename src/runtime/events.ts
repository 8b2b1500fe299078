// What a running Frontline tells its embedder (metrics, alerts, logs), as typed events.
import type { Address, InboundEvent } from "../core/types.ts";
import type { TurnDebug } from "../engine/turn.ts";
import type { OutboxItem } from "../outbox/outbox.ts";

export interface FrontlineEvents {
  /** A customer event was handled (first time only, not on a replay). */
  turn: [
    {
      channel: string;
      flow: string | null;
      escalated: boolean;
      conversationKey: string;
      /** The customer event's key: ties the turn to what the customer did. */
      idempotencyKey: string;
      step: string | null;
      locale: string;
      confidence: number | null;
      /** Middleware that acted instead of the flows (e.g. the desk). */
      handledBy?: string[];
      /** Top intents and variables, when built with `debugTurns` (the playground). */
      debug?: TurnDebug;
    },
  ];
  "ticket.opened": [{ ticket: number; skill: string; locale: string; channel: string }];
  "ticket.assigned": [{ ticket: number; agentId: string; waitedMs: number }];
  "ticket.closed": [{ ticket: number; by: "agent" | "auto" | "customer"; resolutionMs: number }];
  "message.sent": [OutboxItem & { messageId: string }];
  "delivery.failed": [{ address: Address; reason: string; kind: "unreachable" | "failed" }];
  "event.deadlettered": [{ event: InboundEvent; reason: string }];
  "ticket.rated": [{ ticket: number; score: number }];
  "delivery.retry": [{ kind: "rate_limited" | "transient"; channel: string }];
  /** Work a dead process held was taken over by this one (its BullMQ job stalled). */
  "lease.takeover": [{ queue: string }];
  "desk.failed": [{ ticket: number; step: string; reason: string }];
}
