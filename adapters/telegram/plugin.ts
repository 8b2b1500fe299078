// The Telegram plugin: its slice of the environment (zod) and the adapter built from it.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { ChannelPlugin } from "../../src/index.ts";
import { url } from "../../src/runtime/config.ts";
import { TelegramAdapter } from "./adapter.ts";
import { TELEGRAM_LIMITS } from "./channel.ts";

const loopbackOrHttps = (v: string) => {
  const u = new URL(v);
  return u.protocol === "https:" || ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
};

export const TelegramEnv = z
  .object({
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(
        /^\d+:[A-Za-z0-9_-]{20,}$/,
        "TELEGRAM_BOT_TOKEN does not look like a bot token (123456:ABC-...); copy it from @BotFather",
      )
      .optional(),
    TELEGRAM_API_ROOT: url("TELEGRAM_API_ROOT")
      .transform((v) => v.replace(/\/+$/, ""))
      .optional(),
    TELEGRAM_MODE: z
      .enum(["polling", "webhook", "worker"], "TELEGRAM_MODE must be polling, webhook or worker")
      .default("polling"),
    TELEGRAM_WEBHOOK_URL: url("TELEGRAM_WEBHOOK_URL")
      .refine(
        loopbackOrHttps,
        "TELEGRAM_WEBHOOK_URL must be https:// (Telegram calls only HTTPS webhooks)",
      )
      .optional(),
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{16,256}$/,
        "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z a-z 0-9 _ -",
      )
      .optional(),
    TELEGRAM_AGENT_CHAT_ID: z
      .string()
      .regex(
        /^-100\d+$/,
        "TELEGRAM_AGENT_CHAT_ID must be a supergroup id like -1001234567890 (see README: Running a support desk)",
      )
      .optional(),
    // Telegram's ~30/s for every bot; a bot with paid broadcasts may send up to 1000/s.
    TELEGRAM_SENDS_PER_SECOND: z.coerce
      .number(
        "TELEGRAM_SENDS_PER_SECOND must be a number of messages per second, 30 unless your bot has paid broadcasts",
      )
      .int("TELEGRAM_SENDS_PER_SECOND must be a whole number")
      .min(1, "TELEGRAM_SENDS_PER_SECOND must be at least 1")
      .max(1000, "TELEGRAM_SENDS_PER_SECOND can be at most 1000 (Telegram's paid broadcast limit)")
      .default(30),
    TELEGRAM_WEBHOOK_HOST: z.string().min(1).default("0.0.0.0"),
    TELEGRAM_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  })
  .superRefine((c, ctx) => {
    if (c.TELEGRAM_MODE === "webhook" && !c.TELEGRAM_WEBHOOK_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_URL"],
        message:
          "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL, the public https:// address Telegram will call (or use TELEGRAM_MODE=polling)",
      });
    }
  });

export type TelegramEnvironment = z.infer<typeof TelegramEnv>;

export const telegramPlugin: ChannelPlugin<TelegramEnvironment> = {
  name: "telegram",
  env: TelegramEnv,
  limits: TELEGRAM_LIMITS,
  enabled: (env) => Boolean(env.TELEGRAM_BOT_TOKEN),
  create(env, { logger }) {
    const token = env.TELEGRAM_BOT_TOKEN!;
    const webhook = env.TELEGRAM_WEBHOOK_URL
      ? {
          url: env.TELEGRAM_WEBHOOK_URL,
          // Derived from the token when not set, so every replica agrees without extra setup.
          secret:
            env.TELEGRAM_WEBHOOK_SECRET ??
            createHash("sha256").update(`frontline-webhook:${token}`).digest("hex").slice(0, 48),
          host: env.TELEGRAM_WEBHOOK_HOST,
          port: env.TELEGRAM_WEBHOOK_PORT,
        }
      : undefined;
    return new TelegramAdapter({
      token,
      apiRoot: env.TELEGRAM_API_ROOT,
      mode: env.TELEGRAM_MODE,
      webhook,
      logger,
      agentChatId: env.TELEGRAM_AGENT_CHAT_ID,
      limits: { sendsPerSecond: env.TELEGRAM_SENDS_PER_SECOND },
    });
  },
};
