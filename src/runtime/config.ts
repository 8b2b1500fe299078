// The environment, parsed once with zod into one typed Config. Nothing else reads process.env.
import { z } from "zod";
import { FrontlineError } from "../core/errors.ts";

const url = (what: string) =>
  z.string().refine((v) => {
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  }, `${what} must be a URL, e.g. redis://127.0.0.1:6379`);

const loopbackOrHttps = (v: string) => {
  const u = new URL(v);
  return u.protocol === "https:" || ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
};

export const ConfigSchema = z
  .object({
    REDIS_URL: url("REDIS_URL").default("redis://127.0.0.1:6379"),
    REDIS_PREFIX: z.string().min(1).default("fl:"),
    FLOWS_DIR: z.string().min(1).default("flows"),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    /** Log customer text and names (off by default: logs are redacted). */
    LOG_CUSTOMER_TEXT: z.enum(["true", "false"]).default("false"),
    /** How soon work held by a killed process is taken over by another (BullMQ lock + lease). */
    RECOVERY_MS: z.coerce.number().int().min(500).max(600_000).default(15_000),
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

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (FOO= in a .env file) means "not set", as operators expect.
  const set = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = ConfigSchema.safeParse(set);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new FrontlineError(
    "FL_ERR_CONFIG",
    `configuration is invalid (see .env.example):\n${lines.join("\n")}`,
  );
}
