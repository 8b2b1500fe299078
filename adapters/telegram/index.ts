// Telegram adapter: the customer bot (grammY), its delivery channel, the forum-topic desk.
export {
  ALLOWED_UPDATES,
  API_TIMEOUT_SECONDS,
  TelegramAdapter,
  type TelegramOptions,
} from "./adapter.ts";
export { classify, escapeHtml, TELEGRAM_LIMITS, TelegramChannel } from "./channel.ts";
export { TelegramEnv, telegramPlugin } from "./plugin.ts";
export { conversationKeyFor, translateUpdate } from "./translate.ts";
export { TelegramWorkspace, translateAgentUpdate, workspaceIdOf } from "./workspace.ts";
