// Discord adapter: customers in DMs and private support threads, delivery through REST, the
// thread/forum desk, and a gateway held durably across processes.
export {
  DISCORD_INTENTS,
  DiscordAdapter,
  type DiscordOptions,
  SUPPORT_PAYLOAD,
} from "./adapter.ts";
export { DISCORD_LIMITS, DiscordChannel } from "./channel.ts";
export { escapeText, nonceOf } from "./format.ts";
export { DiscordEnv, discordPlugin } from "./plugin.ts";
export { DiscordWorkspace, STATUS_TAGS, threadName, workspaceIdOf } from "./workspace.ts";
