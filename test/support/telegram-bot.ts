// Runs the real product (Service + grammY adapter) in-process against the fake Bot API.
import { createServer } from "node:net";
import { createLogger } from "../../src/runtime/logger.ts";
import type { Redis } from "ioredis";
import { TelegramAdapter, TelegramChannel } from "../../adapters/telegram/index.ts";
import type { RateLimit } from "../../src/core/types.ts";
import type { FlowSet } from "../../src/flows/flowset.ts";
import { Service } from "../../src/runtime/service.ts";
import type { FakeTelegram } from "../fakes/telegram/index.ts";
import type { IntentRouter } from "../../src/engine/router.ts";

export async function startTelegramBot(options: {
  fake: FakeTelegram;
  redis: Redis;
  prefix: string;
  flows: FlowSet;
  router?: IntentRouter;
  mode?: "polling" | "webhook";
  webhookSecret?: string;
  /** Overrides the channel's send pacing (benchmarks raise it; default: Telegram's real limits). */
  channelLimits?: { global?: RateLimit; private?: RateLimit; group?: RateLimit };
}) {
  const { fake } = options;
  const mode = options.mode ?? "polling";
  const port = mode === "webhook" ? await freePort() : 0;
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const adapter = new TelegramAdapter({
    token: fake.token,
    apiRoot: fake.apiRoot,
    mode,
    botInfo: fake.botInfo,
    logger,
    pollTimeoutSeconds: 5,
    ...(mode === "webhook"
      ? { webhook: { url: `http://127.0.0.1:${port}/telegram/hook`, secret: options.webhookSecret ?? "s3cret-webhook-token-123", host: "127.0.0.1", port } }
      : {}),
  });
  if (options.channelLimits) {
    (adapter as { channel: TelegramChannel }).channel = new TelegramChannel(adapter.bot.api, options.channelLimits);
  }
  const service = new Service({ redis: options.redis, prefix: options.prefix, flows: options.flows, adapters: [adapter], logger, recoveryMs: 2_000, router: options.router });
  await service.start();
  return { service, adapter, stop: () => service.stop(3_000) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}
