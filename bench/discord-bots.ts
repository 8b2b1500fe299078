// The two contenders of `npm run bench:discord`'s reply scenarios, each on its own fake Discord
// (REST and gateway in this process, over real HTTP and WebSocket): Frontline (the real service
// with the Discord adapter on Redis) and a bare discord.js 14 Client that answers every DM
// directly, with no durability.

import { randomUUID } from "node:crypto";
import { Client, Events, GatewayIntentBits, Partials } from "discord.js";
import type { Redis } from "ioredis";
import type { RateLimit } from "../src/core/types.ts";
import type { FlowSet } from "../src/flows/flowset.ts";
import { FakeDiscord } from "../test/fakes/discord/index.ts";
import { startDiscordBot } from "../test/support/discord-bot.ts";
import { dropPrefix } from "../test/support/redis.ts";
import { once } from "./common.ts";
import { serviceQueues } from "./queues.ts";

/**
 * Send pacing far above Discord's (50 requests/s per bot, about 5 messages per 5 s in one
 * channel): with the real limits this benchmark would measure the pacing, not the system.
 */
export const RAISED: { global: RateLimit; lane: RateLimit; desk: RateLimit } = {
  global: { burst: 1_000_000, perSecond: 1_000_000 },
  lane: { burst: 1_000_000, perSecond: 1_000_000 },
  desk: { burst: 1_000_000, perSecond: 1_000_000 },
};

/**
 * @discordjs/rest's own global cap (Discord's 50 requests/s), raised for both contenders;
 * BENCH_REST_PER_SECOND=50 puts Discord's figure back to see what a real bot gets.
 */
export const REST_PER_SECOND = Number(process.env.BENCH_REST_PER_SECOND) || 1_000_000;

export const RAISED_TELEGRAM: { global: RateLimit; private: RateLimit; group: RateLimit } = {
  global: RAISED.global,
  private: RAISED.global,
  group: RAISED.global,
};

export interface DiscordContender {
  who: string;
  fake: FakeDiscord;
  guildId: string;
  /** Resolves once no background work is left (so it cannot leak into the next measurement). */
  quiesce(timeoutMs?: number): Promise<boolean>;
  /** Stops the bot and the fake (and deletes the bot's Redis keys); safe to call twice. */
  stop(): Promise<void>;
}

/** The product's own assembly (createFrontline + the Discord adapter), pacing raised. */
export async function startFrontlineDiscord(
  redis: Redis,
  flows: FlowSet,
): Promise<DiscordContender> {
  const fake = await FakeDiscord.start();
  const guild = fake.addGuild({ name: "Shop" });
  const prefix = `flbench:${randomUUID().slice(0, 8)}:`;
  const queues = serviceQueues(redis, prefix);
  let bot: Awaited<ReturnType<typeof startDiscordBot>> | undefined;
  const stop = once(async () => {
    try {
      await bot?.stop();
    } finally {
      await queues.close();
      await fake.close();
      await dropPrefix(redis, prefix);
    }
  });
  try {
    bot = await startDiscordBot({
      discord: fake,
      redis,
      prefix,
      flows,
      pacing: RAISED,
      globalRequestsPerSecond: REST_PER_SECOND,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { who: "Frontline", fake, guildId: guild.id, quiesce: queues.quiesce, stop };
}

/**
 * A bare discord.js bot: every DM gets `reply` at once, with the same send options Frontline's
 * channel uses (no mentions parsed, a nonce that Discord enforces), so both put the same bytes
 * on the wire.
 */
export async function startBareDiscordJs(reply: string): Promise<DiscordContender> {
  const fake = await FakeDiscord.start();
  const guild = fake.addGuild({ name: "Shop" });
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.DirectMessages,
      GatewayIntentBits.MessageContent,
    ],
    partials: [Partials.Channel],
    rest: { api: fake.apiBase, globalRequestsPerSecond: REST_PER_SECOND },
  });
  client.on(Events.MessageCreate, (m) => {
    if (m.author.bot || !m.channel.isSendable()) return;
    m.channel
      .send({
        content: reply,
        allowedMentions: { parse: [] },
        nonce: randomUUID().slice(0, 25),
        enforceNonce: true,
      })
      .catch(() => {});
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  const stop = once(async () => {
    try {
      await client.destroy();
    } finally {
      await fake.close();
    }
  });
  try {
    await client.login(fake.token);
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  // Replies go out inside the handler; nothing runs in the background.
  const quiesce = async () => true;
  return { who: "bare discord.js", fake, guildId: guild.id, quiesce, stop };
}
