// `frontline start` (and `npm start`): the bot on its configured channels. With no channel
// configured it keeps the terminal chat as the embedded default and says how to connect one.
import { createHash } from "node:crypto";
import type { Config } from "../runtime/config.ts";
import { loadConfig } from "../runtime/config.ts";
import { loadFlowsOrThrow } from "../runtime/local.ts";
import { createLogger } from "../runtime/logger.ts";
import { connectRedis } from "../runtime/redis.ts";
import type { ChannelAdapter } from "../runtime/service.ts";
import { Service } from "../runtime/service.ts";
import { runChat } from "./chat.ts";

export const HOW_TO_CONNECT_TELEGRAM =
  "No TELEGRAM_BOT_TOKEN is set, so Frontline runs as a terminal chat. To connect Telegram: create a bot with @BotFather " +
  "(/newbot), put its token in TELEGRAM_BOT_TOKEN (see .env.example), and run `npm start` again.";

export async function runStart(opts: { flows?: string }): Promise<number> {
  const config = loadConfig();
  const flowsDir = opts.flows ?? config.FLOWS_DIR;
  if (!config.TELEGRAM_BOT_TOKEN) {
    process.stderr.write(`${HOW_TO_CONNECT_TELEGRAM}\n\n`);
    return runChat({ flows: flowsDir });
  }
  const logger = createLogger({
    level: config.LOG_LEVEL,
    redactText: config.LOG_CUSTOMER_TEXT !== "true",
  });
  const flows = loadFlowsOrThrow(flowsDir);
  const redis = await connectRedis(config.REDIS_URL);
  const adapters: ChannelAdapter[] = [await telegramAdapter(config, logger)];
  const service = new Service({
    redis: redis.redis,
    prefix: config.REDIS_PREFIX,
    flows,
    adapters,
    logger,
    recoveryMs: config.RECOVERY_MS,
  });
  await service.start();
  if (!service.desk) {
    // Flows still escalate and tell customers a person will answer: say loudly that nobody can.
    logger.warn(
      "no agent desk is running (set TELEGRAM_AGENT_CHAT_ID and a desk: section in frontline.yaml): escalated customers will not reach a person",
    );
  }
  logger.info(
    { mode: config.TELEGRAM_MODE, flows: flows.flows.size, ports: service.ports },
    "frontline started",
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping: no new updates; finishing what is in flight");
      void service
        .stop(5_000)
        .catch((err) => logger.error({ err }, "error while stopping"))
        .finally(() => redis.close().then(resolve));
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  logger.info("stopped");
  return 0;
}

async function telegramAdapter(
  config: Config,
  logger: ReturnType<typeof createLogger>,
): Promise<ChannelAdapter> {
  // Loaded only here, at the composition root: src/ itself never depends on a platform library.
  const { TelegramAdapter } = await import("../../adapters/telegram/index.ts");
  const token = config.TELEGRAM_BOT_TOKEN!;
  const webhook = config.TELEGRAM_WEBHOOK_URL
    ? {
        url: config.TELEGRAM_WEBHOOK_URL,
        // Derived from the token when not set, so every replica agrees without extra setup.
        secret:
          config.TELEGRAM_WEBHOOK_SECRET ??
          createHash("sha256").update(`frontline-webhook:${token}`).digest("hex").slice(0, 48),
        host: config.TELEGRAM_WEBHOOK_HOST,
        port: config.TELEGRAM_WEBHOOK_PORT,
      }
    : undefined;
  return new TelegramAdapter({
    token,
    apiRoot: config.TELEGRAM_API_ROOT,
    mode: config.TELEGRAM_MODE,
    webhook,
    logger,
    agentChatId: config.TELEGRAM_AGENT_CHAT_ID,
  });
}
