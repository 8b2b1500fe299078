// Discord has no acknowledgement: what the bot has not recorded when it dies must come back by
// RESUME (the stored session and sequence), or, when Discord refuses the resume, by reading the
// channels' history. Proven on the real binary against the fake Discord: kill -9 mid-burst
// with more messages written while the bot is down; the same with the resume refused; a 429
// storm; a gateway holder killed beside a standby.
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeDiscord } from "../fakes/discord/index.ts";
import { type BotProcess, spawnBot } from "../support/bot-process.ts";
import { discordBurst } from "../support/discord-burst.ts";
import { withoutOneRepeat } from "../support/language-burst.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

let redis: Redis;
let fake: FakeDiscord;
const children: BotProcess[] = [];
const prefixes: string[] = [];

beforeAll(() => {
  redis = connectTestRedis();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.child.kill("SIGKILL");
    await c.exited;
  }
  await fake?.close();
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

async function until(check: () => boolean, ms: number, what: string, out: () => string = () => "") {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}\n${out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A server with a public help channel; the bot's environment for the real binary. */
async function world(name: string) {
  fake = await FakeDiscord.start({ heartbeatIntervalMs: 2_000 });
  const guild = fake.addGuild({ name: "Shop" });
  const help = fake.addChannel(guild.id, { name: "help" });
  const prefix = testPrefix(name);
  prefixes.push(prefix);
  const env = (extra: Record<string, string> = {}) => ({
    DISCORD_BOT_TOKEN: fake.token,
    DISCORD_API_BASE: fake.apiBase,
    DISCORD_GATEWAY_LEASE_MS: "2000",
    REDIS_PREFIX: prefix,
    ...extra,
  });
  const start = (extra?: Record<string, string>) => {
    const bot = spawnBot(env(extra));
    children.push(bot);
    return bot;
  };
  /** The bot holds the gateway and has registered its slash commands. */
  const ready = (bot: BotProcess) =>
    until(
      () =>
        fake.gateway.connections > 0 && fake.commands(guild.id).some((c) => c.name === "support"),
      20_000,
      "the gateway and the slash commands",
      bot.output,
    );
  return { guild, help, start, ready };
}

/** Every customer's answers, in order, at most one repeat each; returns the repeats. */
function checkAnswers(traffic: ReturnType<typeof discordBurst>): number {
  let repeats = 0;
  for (const c of traffic.customers) {
    const got = withoutOneRepeat(traffic.answered(c.channelId));
    repeats += got.repeats;
    const shown = fake
      .botMessages(c.channelId)
      .map((m) => `${m.ephemeral ? "(ephemeral) " : ""}${m.content}`);
    expect(got.seq, `channel ${c.channelId}:\n${shown.join("\n")}`).toEqual(
      traffic.expected.get(c.channelId),
    );
  }
  return repeats;
}

const allAnswered = (traffic: ReturnType<typeof discordBurst>, n: number) => () =>
  traffic.customers.every((c) => withoutOneRepeat(traffic.answered(c.channelId)).seq.length >= n);

const replies = (traffic: ReturnType<typeof discordBurst>) =>
  traffic.customers.reduce((sum, c) => sum + traffic.answered(c.channelId).length, 0);

/**
 * 30 customers (half in DMs, half in support threads) send 6 rounds; the bot is killed -9
 * after 40 answers; `whileDown` runs, 4 more rounds are written, and the bot starts again.
 */
async function killMidBurst(name: string, whileDown: () => void) {
  const { guild, help, start, ready } = await world(name);
  const first = start();
  await ready(first);
  const traffic = discordBurst(fake, { count: 30, guildId: guild.id, supportChannelId: help.id });
  await traffic.ready();
  traffic.send(0, 6);
  await until(() => replies(traffic) >= 40, 60_000, "the first replies", first.output);
  first.child.kill("SIGKILL");
  await first.exited;
  expect(replies(traffic)).toBeLessThan(180); // the kill really happened mid-burst
  whileDown();
  traffic.send(6, 10); // written while nobody holds the gateway
  const second = start();
  await until(allAnswered(traffic, 10), 90_000, "every answer after restart", second.output);
  await new Promise((r) => setTimeout(r, 1_000)); // anything extra would show up now
  return traffic;
}

describe("Discord: nothing lost, nothing twice, across crashes", () => {
  it("kill -9 mid-burst of 300 DMs and thread messages from 30 customers, 120 of them written while the bot is down: RESUME replays, each answered once, in order", async () => {
    const traffic = await killMidBurst("dc-crash", () => {});
    expect(fake.gateway.resumes.accepted).toBeGreaterThanOrEqual(1);
    // Sends carry a nonce: even the one in flight at the kill is not repeated.
    expect(checkAnswers(traffic)).toBeLessThanOrEqual(1);
  }, 180_000);

  it("the same when Discord refuses the resume: the history of every open conversation is read back", async () => {
    const traffic = await killMidBurst("dc-backfill", () => {
      fake.refuseResume(true);
      fake.invalidateSessions();
    });
    expect(fake.gateway.resumes.accepted).toBe(0);
    expect(checkAnswers(traffic)).toBeLessThanOrEqual(1);
    // It read the channels' history (GET …/messages?after=…).
    expect(fake.calls.some((c) => c.method === "GET" && /\/messages$/.test(c.route))).toBe(true);
  }, 180_000);

  it("a 20% storm of 429s: every answer arrives once and in order", async () => {
    const { guild, help, start, ready } = await world("dc-429");
    const bot = start();
    await ready(bot);
    const traffic = discordBurst(fake, { count: 20, guildId: guild.id, supportChannelId: help.id });
    await traffic.ready();
    const storm = fake.failRate({ rate: 0.2, status: 429, retryAfterSeconds: 0.1 });
    traffic.send(0, 5);
    await until(allAnswered(traffic, 5), 90_000, "every answer through the storm", bot.output);
    storm();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(checkAnswers(traffic)).toBe(0);
    expect(fake.calls.filter((c) => c.status === 429).length).toBeGreaterThan(10);
  }, 120_000);

  it("two processes: one holds the gateway, the other processes and stands by; the holder killed, the standby takes the gateway over and resumes", async () => {
    const { guild, help, start, ready } = await world("dc-standby");
    const holder = start();
    await ready(holder);
    const standby = start();
    const traffic = discordBurst(fake, { count: 20, guildId: guild.id, supportChannelId: help.id });
    await traffic.ready();
    expect(fake.gateway.identifies).toBe(1); // only one process holds the gateway
    traffic.send(0, 4);
    await until(() => replies(traffic) >= 20, 60_000, "the first replies", holder.output);
    holder.child.kill("SIGKILL");
    await holder.exited;
    traffic.send(4, 8);
    await until(allAnswered(traffic, 8), 90_000, "every answer from the standby", standby.output);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.gateway.resumes.accepted).toBeGreaterThanOrEqual(1);
    expect(checkAnswers(traffic)).toBeLessThanOrEqual(1);
  }, 180_000);
});
