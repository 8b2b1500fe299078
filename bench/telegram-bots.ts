// The two contenders of `npm run bench:telegram`, each on its own fake Bot API: Frontline (the
// real Service + Telegram adapter on Redis) and a bare grammY bot on @grammyjs/runner that
// replies directly with no durability.

import { randomUUID } from "node:crypto";
import { run } from "@grammyjs/runner";
import { Bot } from "grammy";
import type { Redis } from "ioredis";
import type { RateLimit } from "../src/core/types.ts";
import { IntentRouter } from "../src/engine/router.ts";
import type { FlowSet } from "../src/flows/flowset.ts";
import { loadFlows } from "../src/flows/load.ts";
import { FakeTelegram } from "../test/fakes/telegram/index.ts";
import { dropPrefix } from "../test/support/redis.ts";
import { startTelegramBot } from "../test/support/telegram-bot.ts";
import { once } from "./common.ts";
import { serviceQueues } from "./queues.ts";

export interface Contender {
  fake: FakeTelegram;
  /** Resolves once no background work is left (so it cannot leak into the next measurement). */
  quiesce(timeoutMs?: number): Promise<boolean>;
  /** Stops the bot and the fake (and deletes the bot's Redis keys); safe to call twice. */
  stop(): Promise<void>;
}

/** Limits high enough that pacing never holds a send back in the throughput scenarios. */
export const UNPACED: { global: RateLimit; private: RateLimit; group: RateLimit } = {
  global: { burst: 1_000_000, perSecond: 1_000_000 },
  private: { burst: 1_000_000, perSecond: 1_000_000 },
  group: { burst: 1_000_000, perSecond: 1_000_000 },
};

export async function startFrontline(options: {
  redis: Redis;
  flows: FlowSet;
  router: IntentRouter;
  channelLimits?: typeof UNPACED;
  waitReplicas?: { replicas: number; timeoutMs: number };
  coalesceRedisWrites?: boolean;
  /** QUEUE_PARTITIONS (default 1). */
  partitions?: number;
}): Promise<Contender & { prefix: string; bot: Awaited<ReturnType<typeof startTelegramBot>> }> {
  const fake = await FakeTelegram.start({ recordCalls: false });
  const prefix = `flbench:${randomUUID().slice(0, 8)}:`;
  const queues = serviceQueues(options.redis, prefix, undefined, options.partitions);
  let bot: Awaited<ReturnType<typeof startTelegramBot>> | undefined;
  const stop = once(async () => {
    try {
      await bot?.stop();
    } finally {
      await queues.close();
      await fake.close();
      await dropPrefix(options.redis, prefix);
    }
  });
  const quiesce = queues.quiesce;
  try {
    bot = await startTelegramBot({
      fake,
      redis: options.redis,
      prefix,
      flows: options.flows,
      router: options.router,
      mode: "polling",
      ...(options.channelLimits ? { channelLimits: options.channelLimits } : {}),
      ...(options.waitReplicas ? { waitReplicas: options.waitReplicas } : {}),
      ...(options.coalesceRedisWrites === false ? { coalesceRedisWrites: false } : {}),
      ...(options.partitions ? { partitions: options.partitions } : {}),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { fake, prefix, stop, quiesce, bot };
}

/** Frontline on the shipped flows, unpaced, on its own fake and key prefix (the Redis benches). */
export async function startShippedFrontline(redis: Redis, partitions = 1) {
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("the shipped flows do not load");
  return startFrontline({
    redis,
    flows: loaded.flowSet,
    router: new IntentRouter(loaded.flowSet),
    channelLimits: UNPACED,
    partitions,
  });
}

/** A Redis key's kind: its name below the prefix with ids, hash tags and numbers taken out. */
export function keyKind(key: string, prefix: string): string {
  return key
    .slice(prefix.length)
    .replace(/\{[^}]*\}/g, "{…}")
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27,}/gi, "#")
    .replace(/\d+/g, "#")
    .replace(/(seen|done|result|turn|marker):[^:]+$/, "$1:…");
}

export async function startBareGrammy(replyText: string): Promise<Contender> {
  const fake = await FakeTelegram.start({ recordCalls: false });
  const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
  // Same reply and send options as Frontline's channel, so both put the same bytes on the wire.
  bot.on("message", (ctx) =>
    ctx.reply(replyText, { parse_mode: "HTML", link_preview_options: { is_disabled: true } }),
  );
  bot.catch(() => {});
  const runner = run(bot, { runner: { fetch: { timeout: 5 } } });
  const stop = once(async () => {
    try {
      if (runner.isRunning()) await runner.stop();
    } finally {
      await fake.close();
    }
  });
  // Replies go out inside the handler; nothing runs in the background.
  const quiesce = async () => true;
  return { fake, stop, quiesce };
}
