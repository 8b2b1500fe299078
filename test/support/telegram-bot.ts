// Runs the real product — createFrontline with the grammY adapter, as `frontline start`
// builds it — in-process against the fake Bot API.
import type { Redis } from "ioredis";
import { TelegramAdapter } from "../../adapters/telegram/index.ts";
import type { RateLimit } from "../../src/core/types.ts";
import type { IntentRouter } from "../../src/engine/router.ts";
import type { FlowSet } from "../../src/flows/flowset.ts";
import { createFrontline } from "../../src/runtime/frontline.ts";
import { createLogger } from "../../src/runtime/logger.ts";
import { freePort } from "../../src/runtime/redis.ts";
import type { FakeTelegram } from "../fakes/telegram/index.ts";

export async function startTelegramBot(options: {
  fake: FakeTelegram;
  redis: Redis;
  prefix: string;
  flows: FlowSet;
  router?: IntentRouter;
  mode?: "polling" | "webhook" | "worker";
  webhookSecret?: string;
  agentChatId?: string;
  /** Overrides the channel's send pacing (benchmarks and desk stories raise it; default: Telegram's real limits). */
  channelLimits?: { global?: RateLimit; private?: RateLimit; group?: RateLimit };
  recoveryMs?: number;
  /** REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS (off when absent). */
  waitReplicas?: { replicas: number; timeoutMs: number };
  coalesceRedisWrites?: boolean;
  /** QUEUE_PARTITIONS (default 1). */
  partitions?: number;
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
    ...(options.agentChatId ? { agentChatId: options.agentChatId } : {}),
    ...(options.channelLimits ? { limits: options.channelLimits } : {}),
    ...(mode === "webhook"
      ? {
          webhook: {
            url: `http://127.0.0.1:${port}/telegram/hook`,
            secret: options.webhookSecret ?? "s3cret-webhook-token-123",
            host: "127.0.0.1",
            port,
          },
        }
      : {}),
  });
  const frontline = await createFrontline({
    redis: options.redis,
    prefix: options.prefix,
    flows: options.flows,
    adapters: [adapter],
    logger,
    recoveryMs: options.recoveryMs ?? 2_000,
    router: options.router,
    ...(options.waitReplicas ? { waitReplicas: options.waitReplicas } : {}),
    ...(options.coalesceRedisWrites === false ? { coalesceRedisWrites: false } : {}),
    ...(options.partitions ? { partitions: options.partitions } : {}),
  });
  await frontline.start();
  return { frontline, service: frontline, adapter, stop: () => frontline.stop(3_000) };
}

export { freePort };
