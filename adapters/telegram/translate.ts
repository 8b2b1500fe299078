// Telegram updates → channel-agnostic InboundEvents (customer side: private chats only).
// Returns null for what the customer bot does not handle; the agent desk reads group updates.
import type { Update } from "grammy/types";
import type { InboundEvent, MediaRef } from "../../src/index.ts";

export const CHANNEL = "telegram";

/**
 * Telegram media is carried by copying the message that holds it: "<chat id>/<message id>",
 * plus "/<file id>" so another platform can download the file itself (getFile).
 */
export function mediaRef(chatId: number | string, messageId: number, fileId?: string): string {
  return `${chatId}/${messageId}${fileId ? `/${fileId}` : ""}`;
}

export function parseMediaRef(
  ref: string,
): { chatId: string; messageId: number; fileId?: string } | null {
  const m = /^(-?\d+)\/(\d+)(?:\/([\w-]+))?$/.exec(ref);
  if (!m) return null;
  return { chatId: m[1]!, messageId: Number(m[2]), ...(m[3] ? { fileId: m[3] } : {}) };
}

export function conversationKeyFor(botId: number, chatId: number | string): string {
  return `tg:${botId}:${chatId}`;
}

export function translateUpdate(
  update: Update,
  bot: { id: number; username: string },
): InboundEvent | null {
  const idempotencyKey = `tg:${bot.id}:${update.update_id}`;
  const query = update.callback_query;
  if (query) {
    const chat = query.message?.chat;
    if (chat?.type !== "private" || query.data === undefined) return null;
    return {
      type: "button",
      payload: query.data,
      idempotencyKey,
      conversationKey: conversationKeyFor(bot.id, chat.id),
      address: { channel: CHANNEL, chatId: String(chat.id) },
      user: userOf(query.from),
      at: Date.now(),
    };
  }
  const message = update.message ?? update.edited_message;
  if (message?.chat.type !== "private" || !message.from || message.from.is_bot) return null;
  const base = {
    idempotencyKey,
    conversationKey: conversationKeyFor(bot.id, message.chat.id),
    address: { channel: CHANNEL, chatId: String(message.chat.id) },
    user: userOf(message.from),
    at: message.date * 1000,
  };
  const text = message.text ?? message.caption ?? "";
  if (update.edited_message) return { ...base, type: "edit", text };

  const command = message.entities?.[0];
  if (message.text && command?.type === "bot_command" && command.offset === 0) {
    const [name, mention] = message.text.slice(1, command.length).toLowerCase().split("@");
    if (mention && mention !== bot.username.toLowerCase()) return null;
    return {
      ...base,
      type: "command",
      command: name ?? "",
      args: message.text.slice(command.length).trim(),
    };
  }
  const attachments = attachmentsOf(message);
  return { ...base, type: "message", text, ...(attachments.length > 0 ? { attachments } : {}) };
}

function userOf(from: {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}) {
  return {
    id: String(from.id),
    name: [from.first_name, from.last_name].filter(Boolean).join(" "),
    ...(from.username ? { username: from.username, link: `https://t.me/${from.username}` } : {}),
    ...(from.language_code ? { locale: from.language_code } : {}),
  };
}

type MessageLike = NonNullable<Update["message"]>;

/** The message's media, carried by reference to the message itself (copied, never forwarded). */
export function attachmentsOf(m: MessageLike): MediaRef[] {
  const kind: MediaRef["kind"] | undefined = m.photo?.length
    ? "photo"
    : m.document
      ? "document"
      : m.video || m.animation
        ? "video"
        : m.audio
          ? "audio"
          : m.voice
            ? "voice"
            : m.sticker
              ? "sticker"
              : m.text === undefined && m.caption === undefined
                ? "other"
                : undefined;
  if (!kind) return [];
  const name = m.document?.file_name ?? m.audio?.file_name ?? m.video?.file_name;
  const fileId = (
    m.photo?.at(-1) ??
    m.document ??
    m.video ??
    m.animation ??
    m.audio ??
    m.voice ??
    m.sticker
  )?.file_id;
  return [
    {
      channel: CHANNEL,
      kind,
      ref: mediaRef(m.chat.id, m.message_id, fileId),
      ...(name ? { name } : {}),
    },
  ];
}
