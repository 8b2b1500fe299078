// The composition root's list of platforms: everything that plugs a platform into Frontline.
// src/ never imports from here; bin/ and embedding applications pass these plugins in.
import type { ChannelPlugin } from "../src/index.ts";
import { discordPlugin } from "./discord/plugin.ts";
import { telegramPlugin } from "./telegram/index.ts";

export const plugins: readonly ChannelPlugin[] = [
  telegramPlugin as ChannelPlugin,
  discordPlugin as ChannelPlugin,
];

/** The local web playground (`frontline playground`): a web channel and desk in one page.
 * Loaded only when asked for, so `start` does not carry its HTTP server (fastify) in memory. */
export const playground = async () => (await import("./web/index.ts")).webPlayground;
