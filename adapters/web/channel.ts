// The web channel: replies to a playground customer are appended to their stream in Redis, which
// the page follows over Server-Sent Events. A send repeated by the outbox (same idempotency key)
// appends nothing new, so the page never shows a reply twice.
import {
  type Address,
  type Channel,
  type ChannelLimits,
  DeliveryError,
  type MediaRef,
  type OpenedMedia,
  type OutboundMessage,
  type RateLimit,
  type SendOptions,
} from "../../src/index.ts";
import { toWebMessage, type WebStore } from "./store.ts";

export const WEB_CHANNEL = "web";

/** Generous, but real: the validator checks flows against them as it does for Telegram. */
export const WEB_LIMITS: ChannelLimits = {
  textLength: 4096,
  buttons: 24,
  payloadBytes: 128,
  titleLength: 128,
  uploadBytes: 5 * 1024 * 1024,
};

export class WebChannel implements Channel {
  readonly name = WEB_CHANNEL;
  readonly limits = WEB_LIMITS;
  // Nothing downstream throttles a local page; the limits only keep one runaway flow from
  // flooding Redis.
  readonly globalLimit: RateLimit = { burst: 200, perSecond: 200 };

  constructor(private readonly store: WebStore) {}

  laneOf(address: Address): string {
    return address.chatId;
  }

  limitFor(): RateLimit {
    return { burst: 50, perSecond: 50 };
  }

  async send(
    address: Address,
    message: OutboundMessage,
    options: SendOptions,
  ): Promise<{ messageId: string }> {
    if (!isCustomerId(address.chatId))
      throw new DeliveryError("unreachable", `web: no such customer ${address.chatId}`);
    try {
      const id = await this.store.appendCustomer(
        address.chatId,
        { kind: "bot", message: toWebMessage(message), at: Date.now() },
        options.idempotencyKey,
      );
      return { messageId: id };
    } catch (err) {
      throw new DeliveryError("transient", `web: ${(err as Error).message}`);
    }
  }

  async openMedia(media: MediaRef): Promise<OpenedMedia> {
    const stored = media.channel === WEB_CHANNEL ? await this.store.media(media.ref) : null;
    if (!stored)
      throw new DeliveryError("rejected", `web: the image ${media.ref} is no longer kept`);
    return { data: new Uint8Array(stored.data), name: stored.name, mime: stored.mime };
  }
}

/** Customer ids are made by the page: short, URL- and key-safe. */
export function isCustomerId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,40}$/.test(id);
}
