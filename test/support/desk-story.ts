// The desk stories' set-up, shared by the story files: a forum supergroup in the fake Bot API,
// the real product with the shipped flows and desk settings a story needs, helpers to wait for
// and read what the platform shows. Call deskStories() at the top of a test file.
import { afterAll, afterEach } from "vitest";
import { TicketStore } from "../../src/desk/store.ts";
import type { FlowSet } from "../../src/flows/flowset.ts";
import { FakeTelegram, type SentMessage } from "../fakes/telegram/index.ts";
import { ALL_WEEK, deskFlows } from "./desk-flows.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "./redis.ts";
import { startTelegramBot } from "./telegram-bot.ts";

export function deskStories() {
  const redis = connectTestRedis();
  const prefixes: string[] = [];
  let cleanup: (() => Promise<void>)[] = [];
  const fast = {
    global: { burst: 1000, perSecond: 1000 },
    private: { burst: 100, perSecond: 100 },
    group: { burst: 100, perSecond: 100 },
  };

  const anna = { id: 9001, first_name: "Anna", language_code: "en" };
  const boris = { id: 9002, first_name: "Boris", language_code: "en" };
  let nextCustomer = 70_000;

  async function desk(
    settings: Record<string, unknown> = {},
    replicas = 1,
    limits = fast,
    partitions = 1,
  ) {
    const fake = await FakeTelegram.start();
    const group = fake.createForumGroup({
      title: "Support desk",
      members: [
        { user: anna, status: "member" },
        { user: boris, status: "member" },
      ],
    });
    const { flows } = deskFlows({
      hours: ALL_WEEK,
      agents: [
        {
          id: `telegram:${anna.id}`,
          alias: "Anna",
          skills: ["billing", "general", "accounts", "windows", "linux", "macos", "mobile"],
          languages: ["en", "ru", "pl", "el"],
          capacity: 5,
        },
      ],
      ...settings,
    });
    const prefix = testPrefix("desk");
    prefixes.push(prefix);
    const bots: Awaited<ReturnType<typeof startTelegramBot>>[] = [];
    for (let i = 0; i < replicas; i++) {
      bots.push(
        await startTelegramBot({
          fake,
          redis,
          prefix,
          flows,
          agentChatId: String(group.id),
          channelLimits: limits,
          mode: i === 0 ? "polling" : "worker",
          partitions,
        }),
      );
    }
    cleanup.push(async () => {
      for (const b of bots) await b.stop();
      await fake.close();
    });
    const customer = { id: nextCustomer++, first_name: "Maria", language_code: "en" };
    fake.addUser(customer);
    return {
      fake,
      group,
      customer,
      store: new TicketStore(redis, prefix),
      flows: flows as FlowSet,
      bots,
      prefix,
    };
  }

  async function until<T>(
    get: () => T | undefined | false,
    ms = 10_000,
    what = "condition",
  ): Promise<T> {
    const started = Date.now();
    for (;;) {
      const v = get();
      if (v) return v;
      if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const buttons = (m: SentMessage) =>
    (
      (m.sent_reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] })
        ?.inline_keyboard ?? []
    ).flat();
  const texts = (fake: FakeTelegram, chatId: number, threadId?: number) =>
    fake.sentMessages(chatId, threadId).map((m) => m.text ?? m.caption ?? `[${m.via}]`);
  const has = (fake: FakeTelegram, chatId: number, re: RegExp, threadId?: number) =>
    texts(fake, chatId, threadId).some((t) => re.test(t));

  /** Customer asks for a refund with a valid order number; the bot hands over. */
  async function refundEscalation(
    fake: FakeTelegram,
    customer: { id: number; first_name: string },
  ) {
    fake.sendUserMessage(customer, "I want a refund for my order");
    await until(() => has(fake, customer.id, /FL-123456/), 10_000, "the order number question");
    fake.sendUserMessage(customer, "FL-654321");
    await until(() => has(fake, customer.id, /#\d+/), 10_000, "the ticket number");
  }

  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });
  afterAll(async () => {
    for (const p of prefixes) await dropPrefix(redis, p);
    await redis.quit();
  });
  /** A customer the fake knows, with a fresh id. */
  const newCustomer = (fake: FakeTelegram, first_name: string, language_code = "en") => {
    const c = { id: nextCustomer++, first_name, language_code };
    fake.addUser(c);
    return c;
  };
  /** `until` for a condition read from Redis. */
  async function eventually<T>(
    get: () => Promise<T | undefined | false | null>,
    what: string,
    ms = 10_000,
  ): Promise<T> {
    const started = Date.now();
    for (;;) {
      const v = await get();
      if (v) return v;
      if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    eventually,
    desk,
    until,
    buttons,
    texts,
    has,
    refundEscalation,
    newCustomer,
    anna,
    boris,
    redis,
    fast,
  };
}
