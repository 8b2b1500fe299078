// The two contenders of `npm run bench:desk`, each on its own fake Bot API with its own forum
// supergroup as the agent chat: Frontline (the real Service + Telegram adapter + desk on Redis)
// and a bare grammY bot on @grammyjs/runner that opens a topic and posts a card on a private
// message and forwards agent messages to a fixed customer, with no durability at all.

import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { run } from "@grammyjs/runner";
import { Queue } from "bullmq";
import { Bot, InlineKeyboard } from "grammy";
import type { Redis } from "ioredis";
import type { RateLimit } from "../src/core/types.ts";
import { TicketStore } from "../src/desk/store.ts";
import type { TicketStatus } from "../src/desk/ticket.ts";
import { FakeTelegram, type TestUser } from "../test/fakes/telegram/index.ts";
import { ALL_WEEK, deskFlows } from "../test/support/desk-flows.ts";
import { dropPrefix } from "../test/support/redis.ts";
import { startTelegramBot } from "../test/support/telegram-bot.ts";
import { once } from "./common.ts";
import { ALIAS, sleep } from "./desk-measure.ts";

export const AGENT: TestUser = { id: 9001, first_name: "Anna", language_code: "en" };

/**
 * Send pacing raised far above Telegram's (20 msgs/min per group, ~1/s per chat, ~30/s
 * overall): with the real limits this benchmark would measure the pacing, not the system.
 */
export const RAISED_LIMITS: { global: RateLimit; private: RateLimit; group: RateLimit } = {
  global: { burst: 100_000, perSecond: 100_000 },
  private: { burst: 100_000, perSecond: 100_000 },
  group: { burst: 100_000, perSecond: 100_000 },
};

export interface DeskContender {
  who: string;
  fake: FakeTelegram;
  agentChatId: number;
  /** Resolves once nothing is in flight any more (true), or after `timeoutMs` (false). */
  quiesce(lastCallAt: () => number, timeoutMs?: number): Promise<boolean>;
  /** Tickets per status in Redis (Frontline only). */
  ticketCounts?(): Promise<Record<TicketStatus, number>>;
  /** Stops the bot and the fake and deletes what it left behind; safe to call twice. */
  stop(): Promise<void>;
}

/** True once the bot made no call (other than getUpdates) for `quietMs`. */
async function quietFor(lastCallAt: () => number, quietMs: number, deadline: number) {
  while (performance.now() < deadline) {
    const idle = performance.now() - lastCallAt();
    if (idle >= quietMs) return true;
    await sleep(Math.max(10, quietMs - idle));
  }
  return false;
}

export async function startFrontlineDesk(
  redis: Redis,
): Promise<DeskContender & { prefix: string }> {
  const fake = await FakeTelegram.start({ recordCalls: false });
  const group = fake.createForumGroup({
    title: "Support desk",
    members: [{ user: AGENT, status: "member" }],
  });
  const { dir, flows } = deskFlows({
    hours: ALL_WEEK,
    agents: [
      {
        id: `telegram:${AGENT.id}`,
        alias: ALIAS,
        skills: ["general", "billing", "accounts", "windows", "linux", "macos", "mobile"],
        languages: ["en", "ru", "pl", "el"],
        capacity: 50,
      },
    ],
  });
  const prefix = `flbench:desk:${randomUUID().slice(0, 8)}:`;
  // Read-only views of the service's ordered queues (names and prefix as in src/).
  const queues = ["intake", "outbox", "desk"].map(
    (name) => new Queue(name, { connection: redis, prefix: `${prefix}bull` }),
  );
  const store = new TicketStore(redis, prefix);
  let bot: Awaited<ReturnType<typeof startTelegramBot>> | undefined;
  const stop = once(async () => {
    try {
      await bot?.stop();
    } finally {
      await Promise.all(queues.map((q) => q.close().catch(() => {})));
      await fake.close();
      await dropPrefix(redis, prefix);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  // Jobs that found their lane busy wait as delayed jobs and run (as no-ops) up to a lease
  // later: wait them out too, so they do not run during the next measurement.
  const quiesce = async (lastCallAt: () => number, timeoutMs = 20_000) => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      let busy = 0;
      for (const q of queues) {
        const counts = await q.getJobCounts("waiting", "active", "delayed", "prioritized");
        busy += Object.values(counts).reduce((a, b) => a + b, 0);
      }
      if (busy === 0 && (await quietFor(lastCallAt, 300, deadline))) return true;
      await sleep(100);
    }
    return false;
  };
  try {
    bot = await startTelegramBot({
      fake,
      redis,
      prefix,
      flows,
      agentChatId: String(group.id),
      channelLimits: RAISED_LIMITS,
      mode: "polling",
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    who: "Frontline",
    fake,
    agentChatId: group.id,
    prefix,
    quiesce,
    ticketCounts: () => store.countByStatus(),
    stop,
  };
}

/** A card of the same shape and size as Frontline's, with the same three buttons. */
function bareCard(n: number, name: string): string {
  return [
    `🎫 Ticket #${n} · NORMAL · skill general`,
    `Customer: ${name} · telegram id ${n}`,
    "Language: en · First ticket of this customer.",
    "Reason: Customer asked to talk to a person",
    "The bot tried: human",
    "",
    "Write here to answer the customer. // or /note for internal notes. /close /transfer &lt;skill|alias&gt; /alias &lt;name&gt; /block",
  ].join("\n");
}

export async function startBareDesk(fixedCustomerId: number): Promise<DeskContender> {
  const fake = await FakeTelegram.start({ recordCalls: false });
  const group = fake.createForumGroup({
    title: "Support desk",
    members: [{ user: AGENT, status: "member" }],
  });
  const bot = new Bot(fake.token, { botInfo: fake.botInfo, client: { apiRoot: fake.apiRoot } });
  const send = { parse_mode: "HTML" as const, link_preview_options: { is_disabled: true } };
  let tickets = 0;
  bot.chatType("private").on("message", async (ctx) => {
    const n = ++tickets;
    const name = ctx.from.first_name;
    const topic = await ctx.api.createForumTopic(group.id, `🆕 #${n} ${name} · general · en`);
    const keyboard = new InlineKeyboard()
      .text("✋ Claim", `desk:claim:${n}`)
      .text("✅ Close", `desk:close:${n}`)
      .row()
      .text("↪ Transfer", `desk:transfer:${n}`);
    await ctx.api.sendMessage(group.id, bareCard(n, name), {
      ...send,
      message_thread_id: topic.message_thread_id,
      reply_markup: keyboard,
    });
  });
  bot.chatType("supergroup").on("message:text", async (ctx) => {
    if (!ctx.msg.is_topic_message) return;
    await ctx.api.sendMessage(fixedCustomerId, `${ALIAS}: ${ctx.msg.text}`, send);
  });
  bot.catch(() => {});
  const runner = run(bot, { runner: { fetch: { timeout: 5 } } });
  const stop = once(async () => {
    try {
      if (runner.isRunning()) await runner.stop();
    } finally {
      await fake.close();
    }
  });
  // Everything happens inside the handlers: idle once the bot stops calling.
  const quiesce = (lastCallAt: () => number, timeoutMs = 20_000) =>
    quietFor(lastCallAt, 300, performance.now() + timeoutMs);
  return { who: "bare grammY", fake, agentChatId: group.id, quiesce, stop };
}
