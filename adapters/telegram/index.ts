// Telegram adapter: the customer bot (grammY) and its delivery channel.
export { ALLOWED_UPDATES, TelegramAdapter, type TelegramOptions } from "./adapter.ts";
export { classify, escapeHtml, TelegramChannel } from "./channel.ts";
export { conversationKeyFor, translateUpdate } from "./translate.ts";
