// The outbound port every platform implements: how to deliver one message to one address,
// and the platform's limits the rest of the product must respect.
import type { Address, MediaRef, OutboundMessage, RateLimit } from "./types.ts";

/** What one message on a platform may carry; the validator and the desk check against these. */
export interface ChannelLimits {
  /** Longest text in one message; longer texts are split before sending. */
  textLength: number;
  /** Most buttons under one message. */
  buttons: number;
  /** Longest button payload in bytes (Telegram callback_data: 64; Discord custom_id: 100). */
  payloadBytes: number;
  /** Longest title of a thread or topic. */
  titleLength: number;
  /** Largest file the bot may upload, in bytes. */
  uploadBytes: number;
}

export interface OpenedMedia {
  data: Uint8Array;
  name: string;
  mime?: string;
}

export interface SendOptions {
  /** Stable per logical message; platforms that take a nonce use it to drop a repeated send. */
  idempotencyKey: string;
}

export interface Channel {
  /** Matches `Address.channel` of the addresses it serves. */
  readonly name: string;
  readonly limits: ChannelLimits;
  /** Sends across all chats of this channel. */
  readonly globalLimit: RateLimit;
  /** The unit of order and pacing: messages to one lane go out one by one, in order. */
  laneOf(address: Address): string;
  /** Sends to one lane (a private chat, a group). */
  limitFor(address: Address): RateLimit;
  /** Throws DeliveryError for failures it can classify; anything else counts as transient. */
  send(
    address: Address,
    message: OutboundMessage,
    options: SendOptions,
  ): Promise<{ messageId: string }>;
  /** Downloads media this channel owns, so another platform can upload it. */
  openMedia?(media: MediaRef): Promise<OpenedMedia>;
}
