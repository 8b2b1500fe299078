// Registry of implemented Bot API methods, keyed by lower-cased name.
import type { Handler } from "../core.ts";
import { botMethods } from "./bot.ts";
import { chatMethods } from "./chats.ts";
import { forumMethods } from "./forum.ts";
import { updateMethods } from "./getting-updates.ts";
import { mediaMethods } from "./media.ts";
import { messageMethods } from "./messages.ts";

export interface MethodEntry {
  /** Canonical (camelCase) method name. */
  name: string;
  fn: Handler;
}

export const METHODS: ReadonlyMap<string, MethodEntry> = new Map(
  Object.entries({
    ...botMethods,
    ...updateMethods,
    ...messageMethods,
    ...mediaMethods,
    ...forumMethods,
    ...chatMethods,
  }).map(([name, fn]) => [name.toLowerCase(), { name, fn }]),
);
