// Public and shared types of the fake Telegram Bot API (records, options, test-side shapes).
import type { Message, Update } from "grammy/types";

/** Options of {@link FakeTelegram.start}. */
export interface StartOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Bot token; default "123456:TEST-TOKEN" (the bot id is the part before the colon). */
  token?: string;
  botId?: number;
  username?: string;
  firstName?: string;
  /** Keep every API call in `calls` (default true). Waiters are notified either way. */
  recordCalls?: boolean;
  /** Webhook retry delays after a failed delivery, in ms (default [50, 100, 200]). */
  webhookRetryDelaysMs?: number[];
  /** Abort a webhook POST after this many ms (default 10_000). */
  webhookTimeoutMs?: number;
  /** Start with a rate limiter on (see {@link RateLimits}). */
  enforceLimits?: RateLimits;
}

/** Sliding-window limits on message-creating methods; exceeding one answers 429 + retry_after. */
export interface RateLimits {
  /** Messages per second to any one chat (Telegram: about 1). */
  perChatPerSecond?: number;
  /** Messages per minute to any one group (Telegram: 20). */
  perGroupPerMinute?: number;
  /** Messages per second over all chats (Telegram: about 30). */
  globalPerSecond?: number;
}

/** An injected failure; `times` defaults to 1. */
export interface FailSpec {
  error_code: number;
  description?: string;
  retry_after?: number;
  migrate_to_chat_id?: number;
  times?: number;
}

export type FailPredicate = (call: {
  method: string;
  params: Record<string, unknown>;
}) => FailSpec | undefined | null | false;

/** One API call as the fake saw it. */
export interface CallRecord {
  /** Position in the call sequence (0-based, never reset by `calls.length = 0`). */
  seq: number;
  /** Canonical method name, e.g. "sendMessage" (as sent if the method is unknown). */
  method: string;
  params: Record<string, unknown>;
  /** Date.now() when the call arrived. */
  at: number;
  ok: boolean;
  result?: unknown;
  error?: { error_code: number; description: string };
  /** The bot message this call created or edited (a snapshot), if any. */
  message?: SentMessage;
}

/** A message the bot sent, as stored, plus what only the fake knows. */
export type SentMessage = Message & {
  /** parse_mode the text/caption was sent with; `text`/`caption` are kept raw (not entity-parsed). */
  parse_mode?: string;
  /** API method that produced it (sendMessage, copyMessage, sendPhoto, ...). */
  via: string;
  /** reply_markup exactly as sent (also reply keyboards, which a real Message omits). */
  sent_reply_markup?: unknown;
};

/** A user the test plays. */
export interface TestUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: true;
}

export type MediaKind =
  | "photo"
  | "document"
  | "video"
  | "audio"
  | "voice"
  | "sticker"
  | "animation"
  | "video_note";

export type MemberStatus =
  | "creator"
  | "administrator"
  | "member"
  | "restricted"
  | "left"
  | "kicked";

/** A message given by value or by its coordinates. */
export type MessageRef = Message | { chat_id: number; message_id: number };

/** Extra fields merged into a message the test sends; `reply_to_message_id` is resolved. */
export type MessageExtra = Partial<Omit<Message, "message_id" | "chat" | "from">> & {
  reply_to_message_id?: number;
};

export interface MediaExtra extends MessageExtra {
  /** File bytes served by getFile + /file/ (default: a small placeholder). */
  bytes?: Uint8Array;
  file_name?: string;
  mime_type?: string;
}

export interface GroupMessageOptions extends MessageExtra {
  message_thread_id?: number;
}

export interface ForumTopicState {
  message_thread_id: number;
  name: string;
  icon_color: number;
  icon_custom_emoji_id?: string;
  closed: boolean;
  deleted: boolean;
}

export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  at: number;
}

export type PushedUpdate = Omit<Update, "update_id">;
