// Channel-agnostic vocabulary shared by the engine, the queues and every adapter.
// Adapters translate platform updates into these types; nothing here knows a platform.

/** Where a conversation lives: one customer on one channel (a private chat, a DM, a thread). */
export interface Address {
  /** Channel family, e.g. "telegram", "discord", "terminal". */
  channel: string;
  /** The chat/channel id on that platform, as a string. */
  chatId: string;
  /** A sub-thread inside the chat (forum topic, Discord thread), when there is one. */
  threadId?: string;
}

export interface UserRef {
  id: string;
  /** Display name as the platform gives it; shown to agents, never logged. */
  name?: string;
  /** The platform's handle without "@", when it has one (Telegram username, Discord tag). */
  username?: string;
  /** A link that opens the customer's profile on the platform, when it has one. */
  link?: string;
  /** The platform's locale hint (Telegram language_code, Discord locale). */
  locale?: string;
}

interface InboundBase {
  /** Globally unique per platform delivery: `tg:<bot id>:<update_id>`, `dc:<message id>`. */
  idempotencyKey: string;
  /** Stable key of the conversation; all events with the same key are processed in order. */
  conversationKey: string;
  address: Address;
  user: UserRef;
  /** Epoch milliseconds when the platform says the event happened. */
  at: number;
}

export interface InboundMessage extends InboundBase {
  type: "message";
  text: string;
  /** Media the customer sent; flows cannot read it, but the desk relays it. */
  attachments?: MediaRef[];
  /** Set by the intake's flood control: answer the messages it kept back, together. */
  flush?: boolean;
}
export interface InboundButton extends InboundBase {
  type: "button";
  /** The opaque payload we put on the button when we sent it. */
  payload: string;
}
export interface InboundCommand extends InboundBase {
  type: "command";
  /** Without the slash, lower case: "start", "human". */
  command: string;
  args: string;
}
export interface InboundEdit extends InboundBase {
  type: "edit";
  text: string;
}

export type InboundEvent = InboundMessage | InboundButton | InboundCommand | InboundEdit;

/**
 * A piece of media on some platform. It names the channel that can open it, so a message can
 * carry it to any channel: the same platform copies it, another one downloads it (`openMedia`)
 * or, when it cannot, says in words what was not carried.
 */
export interface MediaRef {
  /** The `Channel.name` that owns the media. */
  channel: string;
  kind: "photo" | "document" | "audio" | "video" | "voice" | "sticker" | "other";
  /** Opaque to everything but the owning channel. */
  ref: string;
  name?: string;
}

export interface Button {
  label: string;
  payload: string;
}

export interface OutboundMessage {
  text: string;
  /** Rows are chosen by the adapter; the order is kept. */
  buttons?: Button[];
  /** Media to carry with the text (the text becomes its caption where the platform has one). */
  media?: MediaRef;
  /** Agents to notify by mention (platform accounts, e.g. "telegram:777"), with display names. */
  mentions?: { agentId: string; name: string }[];
}

/** What the engine asks the runtime to do after one inbound event. */
export type Action =
  | { type: "send"; address: Address; message: OutboundMessage }
  | { type: "escalate"; escalation: EscalationRequest };

export type Priority = "low" | "normal" | "high" | "urgent";

export interface EscalationRequest {
  conversationKey: string;
  address: Address;
  user: UserRef;
  locale: string;
  skill: string;
  priority: Priority;
  reason: string;
  /** Flow and step that escalated, and what the bot already tried. */
  flowId: string;
  stepId: string;
  tried: string[];
  vars: Record<string, string>;
}

/** A token bucket: `burst` sends at once, refilled at `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}
