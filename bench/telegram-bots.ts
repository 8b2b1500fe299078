// The two contenders of `npm run bench:telegram`, each on its own fake Bot API: Frontline (the
// real Service + Telegram adapter on Redis) and a bare grammY bot on @grammyjs/runner that
// replies directly with no durability.

import { randomUUID } from "node:crypto";
import { run } from "@grammyjs/runner";
import { Bot } from "grammy";
import type { Redis } from "ioredis";
import type { RateLimit } from "../src/core/types.ts";
import type { IntentRouter } from "../src/engine/router.ts";
import type { FlowSet } from "../src/flows/flowset.ts";
import { FakeTelegram } from "../test/fakes/telegram/index.ts";
import { dropPrefix } from "../test/support/redis.ts";
import { startTelegramBot } from "../test/support/telegram-bot.ts";

export interface Contender {
  fake: FakeTelegram;
  /** Stops the bot and the fake (and deletes the bot's Redis keys); safe to call twice. */
  stop(): Promise<void>;
}

/** Limits high enough that pacing never holds a send back in the throughput scenarios. */
export const UNPACED: { global: RateLimit; private: RateLimit; group: RateLimit } = {
  global: { burst: 1_000_000, perSecond: 1_000_000 },
  private: { burst: 1_000_000, perSecond: 1_000_000 },
  group: { burst: 1_000_000, perSecond: 1_000_000 },
};

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

export async function startFrontline(options: {
  redis: Redis;
  flows: FlowSet;
  router: IntentRouter;
  channelLimits?: typeof UNPACED;
}): Promise<Contender & { prefix: string }> {
  const fake = await FakeTelegram.start({ recordCalls: false });
  const prefix = `flbench:${randomUUID().slice(0, 8)}:`;
  let bot: Awaited<ReturnType<typeof startTelegramBot>> | undefined;
  const stop = once(async () => {
    try {
      await bot?.stop();
    } finally {
      await fake.close();
      await dropPrefix(options.redis, prefix);
    }
  });
  try {
    bot = await startTelegramBot({
      fake,
      redis: options.redis,
      prefix,
      flows: options.flows,
      router: options.router,
      mode: "polling",
      ...(options.channelLimits ? { channelLimits: options.channelLimits } : {}),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { fake, prefix, stop };
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
  return { fake, stop };
}
