// Shared checks for methods: target chat/rights, topic placement, replies, text and keyboards.
import type { Message } from "grammy/types";
import type { Core } from "../core.ts";
import { badRequest, forbidden } from "../errors.ts";
import type { Params } from "../params.ts";
import { checkParseMode } from "../parse-mode.ts";
import type { ChatRec, MsgRec, TopicRec } from "../state.ts";

export const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

/** Resolves `chat_id` (or `name`); `write` also checks the bot may post there. */
export function chatFor(core: Core, p: Params, write = true, name = "chat_id"): ChatRec {
  const id = p.chatId(name);
  const chat = core.state.resolve(id);
  if (!chat) {
    if (write && typeof id === "number" && id > 0 && core.state.users.has(id)) {
      throw forbidden("bot can't initiate conversation with a user");
    }
    throw badRequest("chat not found");
  }
  if (write) assertCanWrite(core, chat);
  return chat;
}

export function assertCanWrite(core: Core, chat: ChatRec): void {
  if (chat.type === "private") {
    if (chat.blocked) throw forbidden("bot was blocked by the user");
    return;
  }
  const me = chat.members.get(core.bot.id);
  if (me?.status === "kicked") throw forbidden("bot was kicked from the supergroup chat");
  if (!me || me.status === "left") throw forbidden("bot is not a member of the supergroup chat");
}

export function botIsAdmin(core: Core, chat: ChatRec): boolean {
  const s = chat.members.get(core.bot.id)?.status;
  return s === "administrator" || s === "creator";
}

/** The topic a message goes to: explicit message_thread_id, or the replied-to message's. */
export function threadFor(chat: ChatRec, p: Params, reply?: MsgRec): TopicRec | undefined {
  const tid = p.optInt("message_thread_id");
  if (tid === undefined) {
    return reply?.threadId === undefined ? undefined : chat.topics.get(reply.threadId);
  }
  const topic = chat.isForum ? chat.topics.get(tid) : undefined;
  if (!topic || topic.deleted) throw badRequest("message thread not found");
  if (topic.closed) throw badRequest("TOPIC_CLOSED");
  return topic;
}

export function replyFor(core: Core, chat: ChatRec, p: Params): MsgRec | undefined {
  const rp = p.json<{ message_id?: number; allow_sending_without_reply?: boolean }>(
    "reply_parameters",
  );
  const id = rp?.message_id ?? p.optInt("reply_to_message_id");
  if (id === undefined) return undefined;
  const rec = core.state.live(chat, Number(id));
  if (rec) return rec;
  if (rp?.allow_sending_without_reply || p.bool("allow_sending_without_reply")) return undefined;
  throw badRequest("message to be replied not found");
}

export interface Placement {
  threadId: number | undefined;
  replyTo: Message | undefined;
}

/** Where a new bot message lands: thread id plus the message it replies to (topic messages reply
 * to the topic's creation message, as in Telegram). */
export function placement(core: Core, chat: ChatRec, p: Params): Placement {
  const reply = replyFor(core, chat, p);
  const topic = threadFor(chat, p, reply);
  return { threadId: topic?.message_thread_id, replyTo: reply?.msg ?? topic?.creation };
}

export function checkText(text: string | undefined, parseMode: string | undefined): void {
  if (text === undefined || text === "") throw badRequest("message text is empty");
  const plain = checkParseMode(text, parseMode);
  if (plain.trim() === "") throw badRequest("message text is empty");
  if (plain.length > 4096) throw badRequest("message is too long");
}

export function checkCaption(caption: string | undefined, parseMode: string | undefined): void {
  if (!caption) return;
  if (checkParseMode(caption, parseMode).length > 1024)
    throw badRequest("message caption is too long");
}

export interface Markup {
  /** What a Message carries (inline keyboards only). */
  inline: unknown;
  /** What the bot sent. */
  raw: unknown;
}

/** Reads and checks reply_markup (callback_data 1-64 bytes, URL buttons, button texts). */
export function markupFor(p: Params): Markup {
  const raw = p.json<Record<string, unknown>>("reply_markup");
  if (raw === undefined) return { inline: undefined, raw: undefined };
  if (typeof raw !== "object" || raw === null)
    throw badRequest("can't parse reply keyboard markup JSON object");
  if (!("inline_keyboard" in raw)) return { inline: undefined, raw };
  const rows = raw.inline_keyboard;
  if (!Array.isArray(rows))
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
  for (const row of rows) {
    if (!Array.isArray(row))
      throw badRequest(
        'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
      );
    for (const b of row as Record<string, unknown>[]) {
      if (typeof b?.text !== "string" || b.text === "") throw badRequest("BUTTON_TEXT_INVALID");
      if (b.callback_data !== undefined) {
        const len = Buffer.byteLength(String(b.callback_data), "utf8");
        if (len < 1 || len > 64) throw badRequest("BUTTON_DATA_INVALID");
      } else if (b.url !== undefined) {
        if (!/^(https?|tg):\/\/\S+$/i.test(String(b.url))) throw badRequest("BUTTON_URL_INVALID");
      } else if (
        ![
          "web_app",
          "login_url",
          "switch_inline_query",
          "switch_inline_query_current_chat",
          "switch_inline_query_chosen_chat",
          "copy_text",
          "callback_game",
          "pay",
        ].some((k) => k in b)
      ) {
        throw badRequest(
          "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        );
      }
    }
  }
  return { inline: raw, raw };
}

export function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Fields a copy or forward carries over (never origin-revealing ones). */
const CONTENT_FIELDS = [
  "text",
  "entities",
  "photo",
  "document",
  "video",
  "audio",
  "voice",
  "sticker",
  "animation",
  "video_note",
  "caption",
  "caption_entities",
  "show_caption_above_media",
  "has_media_spoiler",
  "contact",
  "location",
  "venue",
  "dice",
  "poll",
] as const;

export function contentOf(msg: Message): Record<string, unknown> | undefined {
  const src = msg as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const k of CONTENT_FIELDS) {
    if (src[k] !== undefined) {
      out[k] = src[k];
      any = true;
    }
  }
  return any ? out : undefined;
}

export function hasMedia(msg: Message): boolean {
  return (
    msg.photo !== undefined ||
    msg.document !== undefined ||
    msg.video !== undefined ||
    msg.audio !== undefined ||
    msg.voice !== undefined ||
    msg.animation !== undefined
  );
}
