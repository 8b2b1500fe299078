// Startup problems are one sentence and a non-zero exit, never a hang: a token Telegram
// refuses, and the timeout that keeps a hung send from being sent twice.
import { describe, expect, it } from "vitest";
import { API_TIMEOUT_SECONDS } from "../../adapters/telegram/index.ts";
import { handlerGiveUpMs } from "../../src/queue/ordered-queue.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { spawnBot } from "../support/bot-process.ts";
import { testPrefix } from "../support/redis.ts";

describe("frontline start fails fast", () => {
  it("a token Telegram refuses: exit 1 with one sentence that says what to do", async () => {
    const fake = await FakeTelegram.start();
    try {
      const bot = spawnBot({
        TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef",
        TELEGRAM_API_ROOT: fake.apiRoot,
        REDIS_PREFIX: testPrefix("bad-token"),
      });
      expect(await bot.exited).toBe(1);
      const lines = bot.output().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /Telegram refused TELEGRAM_BOT_TOKEN .*copy the token again from @BotFather/,
      );
    } finally {
      await fake.close();
    }
  });

  it("Telegram calls time out well before a lane gives up on a hung handler", () => {
    // The lease is renewed while a handler runs and given up after handlerGiveUpMs; a send
    // still hanging then could be sent again by another drainer. The client cuts it first.
    for (const recoveryMs of [500, 2_000, 15_000])
      expect(API_TIMEOUT_SECONDS * 1000).toBeLessThan(handlerGiveUpMs(recoveryMs));
  });
});
