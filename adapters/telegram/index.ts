// Telegram adapter: the customer bot (grammY) and its delivery channel.
export { TelegramAdapter, type TelegramOptions, ALLOWED_UPDATES } from "./adapter.ts";
export { TelegramChannel, escapeHtml, classify } from "./channel.ts";
export { translateUpdate, conversationKeyFor } from "./translate.ts";
