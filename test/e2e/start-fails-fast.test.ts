// Startup problems are one sentence and a non-zero exit, never a hang: a token Telegram
// refuses, and the timeout that keeps a hung send from being sent twice.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { API_TIMEOUT_SECONDS } from "../../adapters/telegram/index.ts";
import { handlerGiveUpMs } from "../../src/queue/ordered-queue.ts";
import { FakeDiscord } from "../fakes/discord/index.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { spawnBot } from "../support/bot-process.ts";
import { ALL_WEEK, deskFlowsDir } from "../support/desk-flows.ts";
import { testPrefix, testRedisUrl } from "../support/redis.ts";

/** Runs the real binary asynchronously (the fake Bot API lives in this process). */
function frontline(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["bin/frontline.mjs", ...args], {
    env: { ...process.env, REDIS_URL: testRedisUrl(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, out })),
  );
}

describe("frontline doctor", () => {
  it("passes a good setup and names the fix for a group without topics", async () => {
    const fake = await FakeTelegram.start();
    try {
      const forum = fake.createForumGroup({ title: "Desk" });
      const plain = fake.createForumGroup({ title: "Support", isForum: false });
      const base = {
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        FLOWS_DIR: deskFlowsDir({ hours: ALL_WEEK }),
      };
      const good = await frontline(["doctor"], {
        ...base,
        TELEGRAM_AGENT_CHAT_ID: String(forum.id),
      });
      expect(good.code).toBe(0);
      expect(good.out).toMatch(/✓ Redis: .*Redis \d/);
      expect(good.out).toMatch(/✓ telegram credentials: .*no webhook registered \(polling mode\)/);
      expect(good.out).toMatch(/✓ telegram agent workspace telegram:-\d+: ready/);
      const bad = await frontline(["doctor"], {
        ...base,
        TELEGRAM_AGENT_CHAT_ID: String(plain.id),
      });
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(
        /✗ telegram agent workspace .*"Support" is not a forum; turn on Topics/,
      );
      const revoked = await frontline(["doctor"], {
        ...base,
        TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef",
      });
      expect(revoked.code).toBe(1);
      expect(revoked.out).toMatch(/✗ telegram credentials: Telegram refused TELEGRAM_BOT_TOKEN/);
    } finally {
      await fake.close();
    }
  });
});

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

  it("Redis not answering, and the ops port taken: exit 1 within seconds, one sentence each", async () => {
    const fake = await FakeTelegram.start();
    const taken = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => taken.once("listening", r));
    try {
      const port = (taken.address() as { port: number }).port;
      const base = {
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        REDIS_PREFIX: testPrefix("ff"),
      };
      for (const [env, expected] of [
        [
          { REDIS_URL: "redis://127.0.0.1:1" },
          /no Redis answers at REDIS_URL=redis:\/\/127\.0\.0\.1:1/,
        ],
        [
          { OPS_PORT: String(port), OPS_HOST: "127.0.0.1" },
          /the ops server could not listen on 127\.0\.0\.1:\d+ .*choose another OPS_PORT/,
        ],
      ] as const) {
        const started = Date.now();
        const r = await frontline(["start"], { ...base, ...env });
        // The bar is "within a few seconds": this only catches a hang, not a slow exit.
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(r.code).toBe(1);
        const lines = r.out.trim().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(expected);
      }
    } finally {
      taken.close();
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

describe("frontline start on Discord fails fast", () => {
  it("says in one sentence what is missing: the Message Content intent, the agent channel's permissions, the channel itself; and starts when all is set", async () => {
    const fake = await FakeDiscord.start();
    try {
      const guild = fake.addGuild({ name: "Staff" });
      const desk = fake.addChannel(guild.id, { name: "desk", private: true });
      const base = {
        DISCORD_BOT_TOKEN: fake.token,
        DISCORD_API_BASE: fake.apiBase,
        FLOWS_DIR: deskFlowsDir({ hours: ALL_WEEK }),
        REDIS_PREFIX: testPrefix("dc-start"),
        DISCORD_AGENT_CHANNEL_ID: desk.id,
      };
      const sentence = (out: string) => out.trim().split("\n").at(-1) ?? "";
      fake.setApplicationFlags(0);
      const noIntent = await frontline(["start"], base);
      expect(noIntent.code).toBe(1);
      expect(sentence(noIntent.out)).toMatch(
        /Message Content intent off .*turn it on \(Developer Portal → .*Message Content Intent\)/,
      );
      fake.setApplicationFlags(1 << 19);
      fake.setChannelBotDenied(desk.id, 1n << 36n);
      const noThreads = await frontline(["start"], base);
      expect(noThreads.code).toBe(1);
      expect(sentence(noThreads.out)).toMatch(/bot lacks Create Private Threads in "desk"/);
      const agents = fake.addRole(guild.id, { name: "Agents" });
      const quiet = fake.addChannel(guild.id, { name: "quiet-desk", private: true });
      fake.setChannelBotDenied(quiet.id, 1n << 17n); // Mention @everyone, and the role is not mentionable
      const unmentionable = await frontline(["start"], {
        ...base,
        DISCORD_AGENT_CHANNEL_ID: quiet.id,
        DISCORD_AGENT_ROLE_ID: agents.id,
      });
      expect(unmentionable.code).toBe(1);
      expect(sentence(unmentionable.out)).toMatch(
        /the bot may not mention "Agents".*make the role mentionable/,
      );
      const missing = await frontline(["start"], { ...base, DISCORD_AGENT_CHANNEL_ID: "123" });
      expect(missing.code).toBe(1);
      expect(sentence(missing.out)).toMatch(
        /DISCORD_AGENT_CHANNEL_ID=123: the bot cannot see that channel/,
      );
      const good = await frontline(["doctor"], {
        ...base,
        DISCORD_AGENT_CHANNEL_ID: fake.addChannel(guild.id, { name: "tickets", private: true }).id,
      });
      expect(good.out).toMatch(/✓ discord agent workspace discord:\d+: ready/);
      expect(good.code).toBe(0);
    } finally {
      await fake.close();
    }
  });
});
