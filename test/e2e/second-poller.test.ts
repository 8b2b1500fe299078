// A second process polling the same bot (Telegram answers 409 Conflict) must not crash either
// one: the loser says so in its health and keeps trying, and every message is still answered.

import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlows } from "../../src/flows/load.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";
import { startTelegramBot } from "../support/telegram-bot.ts";

let redis: Redis;
const prefix = testPrefix("second-poller");
beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  await redis.quit();
});

describe("two pollers on one bot", () => {
  it("the 409 shows in the health of the one that lost, nobody crashes, every message is answered", async () => {
    const loaded = loadFlows("flows");
    if (!loaded.ok) throw new Error("flows invalid");
    const fake = await FakeTelegram.start();
    const start = () =>
      startTelegramBot({ fake, redis, prefix, flows: loaded.flowSet, mode: "polling" });
    const [a, b] = [await start(), await start()];
    try {
      const users = Array.from({ length: 5 }, (_, i) => ({
        id: 95_000 + i,
        first_name: `P${i}`,
        language_code: "en",
      }));
      for (const u of users) fake.addUser(u);
      let conflict = "";
      const started = Date.now();
      while (!conflict && Date.now() - started < 15_000) {
        conflict = [a, b].map((x) => x.adapter.health().detail).find((d) => /409/.test(d)) ?? "";
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(conflict).toMatch(/another process is polling this bot \(409 Conflict\)/);
      for (const u of users) fake.sendUserMessage(u, "/help");
      const answered = () => users.every((u) => fake.sentMessages(u.id).length > 0);
      const t0 = Date.now();
      while (!answered() && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      expect(answered()).toBe(true);
    } finally {
      await a.stop();
      await b.stop();
      await fake.close();
    }
  });
});
