// Runs the real product — createFrontline with the Discord adapter (and, for the desk across
// platforms, the Telegram one), as `frontline start` builds it — in-process against the fakes.
import type { Redis } from "ioredis";
import { DiscordAdapter } from "../../adapters/discord/index.ts";
import { TelegramAdapter } from "../../adapters/telegram/index.ts";
import type { ChannelAdapter } from "../../src/core/adapter.ts";
import type { RateLimit } from "../../src/core/types.ts";
import type { FlowSet } from "../../src/flows/flowset.ts";
import { createFrontline } from "../../src/runtime/frontline.ts";
import { createLogger } from "../../src/runtime/logger.ts";
import type { FakeDiscord } from "../fakes/discord/index.ts";
import type { FakeTelegram } from "../fakes/telegram/index.ts";

export interface DiscordBotOptions {
  discord: FakeDiscord;
  redis: Redis;
  prefix: string;
  flows: FlowSet;
  agentChannelId?: string;
  agentRoleId?: string;
  supportChannelId?: string;
  mode?: "auto" | "worker";
  /** Also run Telegram (customers there, or its forum as the desk). */
  telegram?: { fake: FakeTelegram; agentChatId?: string };
  /** `DESK_WORKSPACE`: "discord" or "telegram" when both offer one. */
  deskWorkspace?: string;
  pacing?: { global?: RateLimit; lane?: RateLimit; desk?: RateLimit };
  /** Telegram's send pacing (default: 200/s overall, 20/s per chat and per group). */
  telegramLimits?: { global: RateLimit; private: RateLimit; group: RateLimit };
  leaseMs?: number;
  /** @discordjs/rest's global cap (default Discord's 50/s). */
  globalRequestsPerSecond?: number;
}

export async function startDiscordBot(o: DiscordBotOptions) {
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const discord = new DiscordAdapter({
    token: o.discord.token,
    apiBase: o.discord.apiBase,
    mode: o.mode ?? "auto",
    logger,
    leaseMs: o.leaseMs ?? 2_000,
    pacing: o.pacing ?? {
      global: { burst: 100, perSecond: 200 },
      lane: { burst: 20, perSecond: 20 },
    },
    ...(o.globalRequestsPerSecond ? { globalRequestsPerSecond: o.globalRequestsPerSecond } : {}),
    ...(o.agentChannelId ? { agentChannelId: o.agentChannelId } : {}),
    ...(o.agentRoleId ? { agentRoleId: o.agentRoleId } : {}),
    ...(o.supportChannelId ? { supportChannelId: o.supportChannelId } : {}),
  });
  const adapters: ChannelAdapter[] = [discord];
  let telegram: TelegramAdapter | undefined;
  if (o.telegram) {
    telegram = new TelegramAdapter({
      token: o.telegram.fake.token,
      apiRoot: o.telegram.fake.apiRoot,
      mode: "polling",
      botInfo: o.telegram.fake.botInfo,
      logger,
      pollTimeoutSeconds: 5,
      limits: o.telegramLimits ?? {
        global: { burst: 100, perSecond: 200 },
        private: { burst: 20, perSecond: 20 },
        group: { burst: 20, perSecond: 20 },
      },
      ...(o.telegram.agentChatId ? { agentChatId: o.telegram.agentChatId } : {}),
    });
    adapters.push(telegram);
  }
  const frontline = await createFrontline({
    redis: o.redis,
    prefix: o.prefix,
    flows: o.flows,
    adapters,
    logger,
    recoveryMs: 2_000,
    ...(o.deskWorkspace ? { deskWorkspace: o.deskWorkspace } : {}),
  });
  await frontline.start();
  return { frontline, discord, telegram, stop: () => frontline.stop(3_000) };
}
