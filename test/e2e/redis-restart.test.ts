// Promise 1, the Redis half: with AOF on, a Redis that dies (kill -9) and comes back loses no
// acknowledged message, and the bot resumes by itself; every customer is answered, in order.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { IntentRouter } from "../../src/engine/router.ts";
import { loadFlows } from "../../src/flows/load.ts";
import { startOpsServer } from "../../src/runtime/ops/server.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { freePort, startTelegramBot } from "../support/telegram-bot.ts";

const dir = mkdtempSync(join(tmpdir(), "fl-aof-"));
let server: ChildProcess | undefined;

function startRedis(port: number): ChildProcess {
  return spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
      "--maxmemory-policy",
      "noeviction",
    ],
    { stdio: "ignore" },
  );
}

async function until(check: () => boolean, ms: number, what: string) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(() => {
  server?.kill("SIGKILL");
});

describe("Redis restart", () => {
  it("a Redis killed mid-burst and restarted with AOF: nothing acknowledged is lost, the bot resumes", async () => {
    const port = await freePort();
    server = startRedis(port);
    const redis = new Redis({
      port,
      host: "127.0.0.1",
      maxRetriesPerRequest: null,
      retryStrategy: () => 100,
    });
    redis.on("error", () => {});
    await until(() => redis.status === "ready", 10_000, "redis");
    const loaded = loadFlows("flows");
    if (!loaded.ok) throw new Error("flows invalid");
    const fake = await FakeTelegram.start();
    const bot = await startTelegramBot({
      fake,
      redis,
      prefix: "fl:",
      flows: loaded.flowSet,
      router: new IntentRouter(loaded.flowSet),
      channelLimits: {
        global: { burst: 500, perSecond: 500 },
        // 5/s per chat: the kill surely lands in the middle of the burst.
        private: { burst: 1, perSecond: 5 },
      },
    });
    const ops = await startOpsServer(bot.frontline, { host: "127.0.0.1", port: 0 });
    const ready = async () => (await fetch(`http://127.0.0.1:${ops.port}/readyz`)).status;
    try {
      expect(await ready()).toBe(200);
      const langs = ["en", "ru", "pl", "el"];
      const users = Array.from({ length: 20 }, (_, i) => ({
        id: 80_000 + i,
        first_name: `R${i}`,
        language_code: "en",
      }));
      for (const u of users) fake.addUser(u);
      const send = (round: number) => {
        for (const u of users) fake.sendUserMessage(u, `/language ${langs[(round + u.id) % 4]}`);
      };
      send(0);
      send(1);
      await until(
        () => fake.calls.filter((c) => c.method === "sendMessage" && c.ok).length >= 5,
        20_000,
        "first answers",
      );
      server.kill("SIGKILL");
      await new Promise((r) => server!.once("exit", r));
      expect(fake.calls.filter((c) => c.method === "sendMessage" && c.ok).length).toBeLessThan(40); // mid-burst
      send(2); // arrives while Redis is down: must wait, not be skipped
      expect(await ready()).toBe(503); // readiness says so while Redis is down
      await new Promise((r) => setTimeout(r, 1_000));
      server = startRedis(port);
      send(3);
      await until(
        // Four different answers each (a resend of the one in flight at the kill may come too).
        () => users.every((u) => new Set(fake.sentMessages(u.id).map((m) => m.text)).size >= 4),
        60_000,
        "every answer after the restart",
      );
      const said = { en: /English/, ru: /по-русски/, pl: /po polsku/, el: /ελληνικά/ } as Record<
        string,
        RegExp
      >;
      for (const u of users) {
        const got = fake
          .sentMessages(u.id)
          .map((m) => langs.find((l) => said[l]!.test(m.text ?? "")));
        const expected = [0, 1, 2, 3].map((r) => langs[(r + u.id) % 4]);
        // The four answers are four different languages, so a repeat can only be a resend: at
        // most one per chat (the send in flight when Redis died).
        const collapsed = got.filter((l, i) => i === 0 || l !== got[i - 1]);
        expect(collapsed, `chat ${u.id}`).toEqual(expected);
        expect(got.length).toBeLessThanOrEqual(5);
      }
      expect(await ready()).toBe(200);
    } finally {
      await ops.close();
      await bot.stop();
      await fake.close();
      redis.disconnect();
    }
  }, 120_000);
});
