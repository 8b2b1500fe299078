// Public entry of the fake Telegram Bot API used by end-to-end tests and benchmarks.
export { ApiError } from "./errors.ts";
export { commandEntities, FakeTelegram, type WaitOptions } from "./harness.ts";
export { TOPIC_ICON_COLORS } from "./methods/forum.ts";
export { checkParseMode } from "./parse-mode.ts";
export type * from "./types.ts";
