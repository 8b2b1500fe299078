// The Discord plugin: its slice of the environment (zod) and the adapter built from it.
import { z } from "zod";
import type { ChannelPlugin } from "../../src/index.ts";
import { url } from "../../src/runtime/config.ts";
import { DISCORD_LIMITS } from "./limits.ts";

const snowflake = (name: string, what: string) =>
  z
    .string()
    .regex(
      /^\d{1,21}$/,
      `${name} must be ${what} id (digits): turn on Developer Mode (User Settings → Advanced), then right-click it → Copy ID`,
    )
    .optional();

export const DiscordEnv = z.object({
  DISCORD_BOT_TOKEN: z
    .string()
    .regex(
      /^[\w-]{16,}\.[\w-]{4,}\.[\w-]{16,}$/,
      "DISCORD_BOT_TOKEN does not look like a bot token (three parts joined by dots); copy it from the Developer Portal (your application → Bot → Reset Token)",
    )
    .optional(),
  DISCORD_API_BASE: url("DISCORD_API_BASE")
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  DISCORD_AGENT_CHANNEL_ID: snowflake("DISCORD_AGENT_CHANNEL_ID", "a text or forum channel"),
  DISCORD_AGENT_ROLE_ID: snowflake("DISCORD_AGENT_ROLE_ID", "a role"),
  DISCORD_SUPPORT_CHANNEL_ID: snowflake("DISCORD_SUPPORT_CHANNEL_ID", "a text channel"),
  DISCORD_MODE: z
    .enum(["auto", "worker"], "DISCORD_MODE must be auto (hold the gateway when free) or worker")
    .default("auto"),
  DISCORD_GATEWAY_LEASE_MS: z.coerce.number().int().min(1_000).max(60_000).default(3_000),
});

export type DiscordEnvironment = z.infer<typeof DiscordEnv>;

export const discordPlugin: ChannelPlugin<DiscordEnvironment> = {
  name: "discord",
  env: DiscordEnv,
  limits: DISCORD_LIMITS,
  enabled: (env) => Boolean(env.DISCORD_BOT_TOKEN),
  // discord.js's gateway and REST (about 19 MB) load only when Discord is configured.
  async create(env, { logger }) {
    const { DiscordAdapter } = await import("./adapter.ts");
    return new DiscordAdapter({
      token: env.DISCORD_BOT_TOKEN!,
      ...(env.DISCORD_API_BASE ? { apiBase: env.DISCORD_API_BASE } : {}),
      mode: env.DISCORD_MODE,
      ...(env.DISCORD_AGENT_CHANNEL_ID ? { agentChannelId: env.DISCORD_AGENT_CHANNEL_ID } : {}),
      ...(env.DISCORD_AGENT_ROLE_ID ? { agentRoleId: env.DISCORD_AGENT_ROLE_ID } : {}),
      ...(env.DISCORD_SUPPORT_CHANNEL_ID
        ? { supportChannelId: env.DISCORD_SUPPORT_CHANNEL_ID }
        : {}),
      leaseMs: env.DISCORD_GATEWAY_LEASE_MS,
      ...(logger ? { logger } : {}),
    });
  },
};
