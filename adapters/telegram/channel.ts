// Outbound delivery to Telegram through grammY's Api: HTML-escaped text, inline keyboards,
// forum topics; platform errors classified into DeliveryError kinds for the outbox.
import { type Api, GrammyError, HttpError, InlineKeyboard, InputFile } from "grammy";
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
import { CHANNEL, parseMediaRef } from "./translate.ts";

/** Bot API limits: 4096-character messages, 64-byte callback_data, 128-character topic
 * names, 50 MB uploads. */
export const TELEGRAM_LIMITS: ChannelLimits = {
  textLength: 4096,
  buttons: 100,
  payloadBytes: 64,
  titleLength: 128,
  uploadBytes: 50 * 1024 * 1024,
};

/** Escapes text for parse_mode HTML: customer and flow text can never inject markup. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

export class TelegramChannel implements Channel {
  readonly name = CHANNEL;
  readonly limits = TELEGRAM_LIMITS;
  // Bot FAQ: ~1 msg/s per chat with short bursts, 20/min per group, ~30/s overall.
  // A small burst: with 30 the first second could carry ~60 sends, twice Telegram's ~30/s.
  readonly globalLimit: RateLimit = { burst: 5, perSecond: 30 };
  private readonly privateLimit: RateLimit = { burst: 3, perSecond: 1 };
  private readonly groupLimit: RateLimit = { burst: 5, perSecond: 20 / 60 };
  private opener: ((media: MediaRef) => Promise<OpenedMedia>) | undefined;

  constructor(
    private readonly api: Api,
    limits: {
      global?: RateLimit;
      private?: RateLimit;
      group?: RateLimit;
      /** The overall rate alone (TELEGRAM_SENDS_PER_SECOND), keeping the small burst. */
      sendsPerSecond?: number;
    } = {},
  ) {
    if (limits.sendsPerSecond)
      this.globalLimit = { ...this.globalLimit, perSecond: limits.sendsPerSecond };
    if (limits.global) this.globalLimit = limits.global;
    if (limits.private) this.privateLimit = limits.private;
    if (limits.group) this.groupLimit = limits.group;
  }

  /** How media of other platforms is opened, to upload it here (set by the adapter at start). */
  useMediaOpener(opener: ((media: MediaRef) => Promise<OpenedMedia>) | undefined): void {
    this.opener = opener;
  }

  /** Downloads a file a Telegram user sent (getFile, then the Bot API's file URL). */
  async openMedia(media: MediaRef): Promise<OpenedMedia> {
    const fileId = parseMediaRef(media.ref)?.fileId;
    if (!fileId) throw new Error("this Telegram message carries no file that can be downloaded");
    const file = await this.api.getFile(fileId);
    if (!file.file_path) throw new Error("Telegram did not give the file's path (over 20 MB?)");
    const root = this.api.options?.apiRoot ?? "https://api.telegram.org";
    const response = await fetch(`${root}/file/bot${this.api.token}/${file.file_path}`, {
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`downloading from Telegram: HTTP ${response.status}`);
    return {
      data: new Uint8Array(await response.arrayBuffer()),
      name: media.name ?? file.file_path.split("/").at(-1) ?? "file",
    };
  }

  /** A chat is one lane: its forum topics share its order and its limit. */
  laneOf(address: Address): string {
    return address.chatId;
  }

  limitFor(address: Address): RateLimit {
    return address.chatId.startsWith("-") ? this.groupLimit : this.privateLimit;
  }

  // Telegram's sendMessage takes no idempotency key: the outbox's ids are the only guard.
  async send(
    address: Address,
    message: OutboundMessage,
    _options?: SendOptions,
  ): Promise<{ messageId: string }> {
    const thread = address.threadId ? { message_thread_id: Number(address.threadId) } : {};
    try {
      if (message.media) return await this.sendMedia(address, message, message.media, thread);
      const mentions = (message.mentions ?? [])
        .map((m) => /^telegram:(\d+)$/.exec(m.agentId))
        .map((m, i) =>
          m ? `<a href="tg://user?id=${m[1]}">${escapeHtml(message.mentions![i]!.name)}</a>` : "",
        )
        .filter(Boolean);
      const text = escapeHtml(message.text) + (mentions.length ? `\n${mentions.join(", ")}` : "");
      const sent = await this.api.sendMessage(address.chatId, text, {
        parse_mode: "HTML",
        ...thread,
        ...(message.buttons?.length ? { reply_markup: keyboard(message.buttons) } : {}),
        link_preview_options: { is_disabled: true },
      });
      return { messageId: String(sent.message_id) };
    } catch (err) {
      throw classify(err);
    }
  }

  private async sendMedia(
    address: Address,
    message: OutboundMessage,
    media: MediaRef,
    thread: { message_thread_id?: number },
  ): Promise<{ messageId: string }> {
    const source = media.channel === CHANNEL ? parseMediaRef(media.ref) : null;
    if (!source) return this.sendForeignMedia(address, message, media, thread);
    // copyMessage, never forwardMessage: a copy carries no link to who sent the original.
    const copied = await this.api.copyMessage(
      address.chatId,
      source.chatId,
      source.messageId,
      thread,
    );
    return { messageId: String(copied.message_id) };
  }

  /** Media from another platform: downloaded there and uploaded here; what cannot be carried
   * (no opener, a failed download, over 50 MB) is said in words, never silence. */
  private async sendForeignMedia(
    address: Address,
    message: OutboundMessage,
    media: MediaRef,
    thread: { message_thread_id?: number },
  ): Promise<{ messageId: string }> {
    const label = `${media.kind}${media.name ? `: ${media.name}` : ""}`;
    let problem = "not carried";
    if (this.opener) {
      try {
        const opened = await this.opener(media);
        if (opened.data.byteLength <= this.limits.uploadBytes)
          return await this.upload(address, message, media, opened, thread);
        problem = `over Telegram's ${this.limits.uploadBytes / 1024 / 1024} MB limit, not carried`;
      } catch (err) {
        if (err instanceof GrammyError || telegramErrorCode(err) !== undefined) throw err;
        problem = `could not be carried: ${(err as Error).message}`;
      }
    }
    const what = `[${label} from ${media.channel}, ${problem}]`;
    const sent = await this.api.sendMessage(
      address.chatId,
      escapeHtml(message.text ? `${message.text}\n${what}` : what),
      { parse_mode: "HTML", ...thread },
    );
    return { messageId: String(sent.message_id) };
  }

  private async upload(
    address: Address,
    message: OutboundMessage,
    media: MediaRef,
    opened: OpenedMedia,
    thread: { message_thread_id?: number },
  ): Promise<{ messageId: string }> {
    const file = new InputFile(opened.data, opened.name);
    const fits = [...message.text].length <= CAPTION_LIMIT;
    if (message.text && !fits)
      await this.api.sendMessage(address.chatId, escapeHtml(message.text), {
        parse_mode: "HTML",
        ...thread,
      });
    const caption =
      message.text && fits
        ? { caption: escapeHtml(message.text), parse_mode: "HTML" as const }
        : {};
    const sent =
      media.kind === "photo"
        ? await this.api.sendPhoto(address.chatId, file, { ...caption, ...thread })
        : await this.api.sendDocument(address.chatId, file, { ...caption, ...thread });
    return { messageId: String(sent.message_id) };
  }
}

/** Telegram's longest caption. */
const CAPTION_LIMIT = 1024;

function keyboard(buttons: { label: string; payload: string }[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  // Short labels sit two to a row; long ones get a row each so they are not truncated.
  const perRow = buttons.every((b) => [...b.label].length <= 18) ? 2 : 1;
  buttons.forEach((b, i) => {
    if (i > 0 && i % perRow === 0) kb.row();
    kb.text(b.label, b.payload);
  });
  return kb;
}

/** A Bot API error's code, also from another copy of grammY (a host bot's) or a plain object. */
export function telegramErrorCode(err: unknown): number | undefined {
  const code = (err as { error_code?: unknown } | null)?.error_code;
  return typeof code === "number" ? code : undefined;
}

export function classify(err: unknown): DeliveryError {
  // Duck-typed rather than instanceof: under a mount the errors come from the host bot's copy
  // of grammY, which need not be this one.
  if (err instanceof GrammyError || telegramErrorCode(err) !== undefined) {
    const e = err as GrammyError;
    const what = `${e.method}: ${e.error_code} ${e.description}`;
    if (e.error_code === 429)
      return new DeliveryError("rate_limited", what, (e.parameters?.retry_after ?? 1) * 1000);
    if (e.error_code === 403) return new DeliveryError("unreachable", what);
    if (
      e.error_code === 400 &&
      /chat not found|user is deactivated|PEER_ID_INVALID/i.test(e.description)
    ) {
      return new DeliveryError("unreachable", what);
    }
    if (e.error_code >= 500) return new DeliveryError("transient", what);
    if (e.error_code === 400 || e.error_code === 404) return new DeliveryError("rejected", what);
    return new DeliveryError("transient", what);
  }
  if (err instanceof HttpError) return new DeliveryError("transient", err.message);
  return new DeliveryError("transient", (err as Error)?.message ?? String(err));
}
