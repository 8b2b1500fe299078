// Conversation state: plain data, versioned, stored in Redis between turns.

export const STATE_SCHEMA = 1;

export interface ConversationState {
  schema: typeof STATE_SCHEMA;
  /** Hash of the flow files this state was written under; a change means steps may be gone. */
  flowsHash: string;
  locale: string;
  /** The customer picked the language explicitly: stop guessing it from their text. */
  localeChosen: boolean;
  /** Who answers: the bot, or a person after an escalation. */
  mode: "bot" | "agent";
  /** The ask step the bot waits at, or null when idle. */
  flowId: string | null;
  stepId: string | null;
  /** Rejected answers at the current ask. */
  retries: number;
  vars: Record<string, string>;
  /** Flows this conversation went through, oldest first (shown to agents on escalation). */
  tried: string[];
  /** The customer was told their later messages reach the person (once per escalation). */
  agentAcknowledged: boolean;
  turns: number;
  startedAt: number;
  updatedAt: number;
  /** The customer's channel and chat (for erasure requests by `channel:id`). */
  customer?: { channel: string; chatId: string };
  /** What the desk remembers of this conversation; commits with the turn. */
  desk?: DeskMemory;
}

export interface DeskMemory {
  /** The open ticket, while there is one. */
  ticket?: number;
  /** The most recent closed ticket (a message soon after an agent closed it reopens it). */
  last?: { ticket: number; closedAt: number; closedBy: "agent" | "auto" | "customer" };
  /** The customer rated this ticket; their next text is the rating comment. */
  csatPending?: { ticket: number; until: number };
  /** An agent blocked this customer; `notified` once the customer was told. */
  blocked?: { notified: boolean };
}

export function newState(flowsHash: string, locale: string, now: number): ConversationState {
  return {
    schema: STATE_SCHEMA,
    flowsHash,
    locale,
    localeChosen: false,
    mode: "bot",
    flowId: null,
    stepId: null,
    retries: 0,
    vars: {},
    tried: [],
    agentAcknowledged: false,
    turns: 0,
    startedAt: now,
    updatedAt: now,
  };
}

/** Reads stored JSON; anything unreadable or of another schema starts fresh rather than crash. */
export function parseState(json: string | null | undefined): ConversationState | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as Partial<ConversationState>;
    return value.schema === STATE_SCHEMA ? (value as ConversationState) : null;
  } catch {
    return null;
  }
}
