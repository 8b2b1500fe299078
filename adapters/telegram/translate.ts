// Telegram updates → channel-agnostic InboundEvents (customer side: private chats only).
// Returns null for what the customer bot does not handle; the agent desk reads group updates.
import type { Update } from "grammy/types";
import type { Attachment, InboundEvent } from "../../src/index.ts";

export const CHANNEL = "telegram";

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
    platformMessageId: String(message.message_id),
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
  language_code?: string;
}) {
  return {
    id: String(from.id),
    name: [from.first_name, from.last_name].filter(Boolean).join(" "),
    ...(from.language_code ? { locale: from.language_code } : {}),
  };
}

type MessageLike = NonNullable<Update["message"]>;

function attachmentsOf(m: MessageLike): Attachment[] {
  const ref = (id: string) => id;
  if (m.photo?.length) return [{ kind: "photo", ref: ref(m.photo.at(-1)!.file_id) }];
  if (m.document)
    return [
      {
        kind: "document",
        ref: ref(m.document.file_id),
        ...(m.document.file_name ? { name: m.document.file_name } : {}),
      },
    ];
  if (m.video) return [{ kind: "video", ref: ref(m.video.file_id) }];
  if (m.audio) return [{ kind: "audio", ref: ref(m.audio.file_id) }];
  if (m.voice) return [{ kind: "voice", ref: ref(m.voice.file_id) }];
  if (m.sticker) return [{ kind: "sticker", ref: ref(m.sticker.file_id) }];
  if (m.text === undefined && m.caption === undefined)
    return [{ kind: "other", ref: String(m.message_id) }];
  return [];
}
