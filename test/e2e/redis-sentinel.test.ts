// Redis Sentinel on real servers: a primary, a replica and three sentinels started by the test
// from the redis-server binary. The real binary finds the primary through the sentinels, says
// in one sentence what is wrong when it cannot, and follows a failover by itself; with
// REDIS_WAIT_REPLICAS=1 a primary killed mid-burst loses nothing Telegram was told we have.
import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/runtime/redis.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { type BotProcess, spawnBot } from "../support/bot-process.ts";
import { answered, LANGS } from "../support/language-burst.ts";
import { type SentinelSet, startSentinelSet } from "../support/redis-sentinel.ts";

let set: SentinelSet | undefined;
let fake: FakeTelegram | undefined;
const bots: BotProcess[] = [];

afterEach(async () => {
  for (const b of bots.splice(0)) {
    b.child.kill("SIGKILL");
    await b.exited;
  }
  await fake?.close();
  fake = undefined;
  await set?.stop();
  set = undefined;
});

/** The real binary, run to its end (the fake Bot API lives in this process, so not spawnSync). */
function frontline(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["bin/frontline.mjs", ...args], {
    env: { ...process.env, ...env },
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

async function until(check: () => boolean, ms: number, what: string, more = () => "") {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}\n${more()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Nothing may quietly fall back to a single Redis: REDIS_URL names a port where none listens
// (it gives the primary's credentials and database only).
const NO_SINGLE_REDIS = { REDIS_URL: "redis://127.0.0.1:1" };

describe("Redis Sentinel", () => {
  it("doctor names the primary the sentinels chose; start refuses unreachable sentinels and an unknown name in one sentence", async () => {
    set = await startSentinelSet();
    fake = await FakeTelegram.start();
    const base = {
      ...NO_SINGLE_REDIS,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
    };
    const doctor = await frontline(["doctor"], {
      ...base,
      REDIS_SENTINELS: set.sentinelList,
      REDIS_SENTINEL_NAME: set.name,
    });
    expect(doctor.out).toMatch(
      new RegExp(
        `✓ Redis: REDIS_SENTINELS=.* answers \\(Redis [\\d.]+, .*primary "${set.name}" at 127\\.0\\.0\\.1:${set.primary.port} with 1 connected replicas\\)`,
      ),
    );
    const nobody = `127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}`;
    for (const [env, expected] of [
      [
        { REDIS_SENTINELS: nobody, REDIS_SENTINEL_NAME: set.name },
        /no sentinel answers at REDIS_SENTINELS=127\.0\.0\.1:\d+,127\.0\.0\.1:\d+ \(connect ECONNREFUSED [\d.:]+\): start them there or fix REDIS_SENTINELS$/,
      ],
      [
        { REDIS_SENTINELS: set.sentinelList, REDIS_SENTINEL_NAME: "nope" },
        /the sentinels at REDIS_SENTINELS=.* monitor no primary named "nope": set REDIS_SENTINEL_NAME/,
      ],
      [
        { REDIS_SENTINELS: set.sentinelList },
        /REDIS_SENTINEL_NAME must name the primary the sentinels monitor/,
      ],
    ] as const) {
      const r = await frontline(["start"], { ...base, ...env });
      expect(r.code, r.out).toBe(1);
      // Configuration mistakes are listed under one heading; the rest are one sentence.
      const lines = r.out.trim().split("\n");
      if (env.REDIS_SENTINEL_NAME) expect(lines).toHaveLength(1);
      expect(lines.at(-1)).toMatch(expected);
    }
  }, 60_000);

  it("the bot answers through the sentinels' primary, and again once a replica took over from a killed one", async () => {
    set = await startSentinelSet();
    fake = await FakeTelegram.start();
    const bot = spawnBot({
      ...NO_SINGLE_REDIS,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      REDIS_SENTINELS: set.sentinelList,
      REDIS_SENTINEL_NAME: set.name,
      REDIS_PREFIX: "fl:",
    });
    bots.push(bot);
    const user = fake.addUser({ id: 70_001, first_name: "S", language_code: "en" });
    fake.sendUserMessage(user, "/language ru");
    await until(() => fake!.sentMessages(user.id).length === 1, 30_000, "an answer", bot.output);

    const old = set.primary.port;
    await set.primary.kill();
    const promoted = await set.failedOver(old);
    expect(promoted).toBe(set.replicas[0]!.port);
    fake.sendUserMessage(user, "/language pl");
    await until(
      () => fake!.sentMessages(user.id).length === 2,
      30_000,
      "an answer after the failover",
      bot.output,
    );
    const texts = fake.sentMessages(user.id).map((m) => m.text);
    expect(texts[0]).toMatch(/по-русски/i);
    // The new primary had the conversation: the state written before the kill was replicated.
    expect(texts[1]).toMatch(/po polsku/i);
  }, 60_000);

  it("REDIS_WAIT_REPLICAS=1, the replica lagging and the primary killed mid-burst: after the failover every acknowledged message is answered, in order", async () => {
    set = await startSentinelSet();
    fake = await FakeTelegram.start();
    const f = fake;
    const bot = spawnBot({
      ...NO_SINGLE_REDIS,
      TELEGRAM_BOT_TOKEN: f.token,
      TELEGRAM_API_ROOT: f.apiRoot,
      REDIS_SENTINELS: set.sentinelList,
      REDIS_SENTINEL_NAME: set.name,
      REDIS_WAIT_REPLICAS: "1",
      REDIS_PREFIX: "fl:",
    });
    bots.push(bot);
    const traffic = languageTraffic(f, 20);
    const sends = () => f.calls.filter((c) => c.method === "sendMessage" && c.ok).length;

    traffic.send(4);
    await until(() => sends() >= 30, 30_000, "the first answers", bot.output);
    // The replica falls behind, as a slow or partitioned one does: paused, and the sockets
    // between it and the primary filled (a 64 MB value), so what the primary writes from now
    // on waits in its own memory and dies with it. Without WAIT the bot would acknowledge the
    // second wave anyway, and the failover below would lose it.
    const replica = set.replicas[0]!;
    replica.child.kill("SIGSTOP");
    await behind(set.primary.port);
    traffic.send(4);
    await new Promise((r) => setTimeout(r, 1_200));
    const old = set.primary.port;
    await set.primary.kill();
    replica.child.kill("SIGCONT");
    expect(await set.failedOver(old)).toBe(replica.port);
    const sentAtFailover = sends();
    expect(sentAtFailover).toBeLessThan(traffic.total); // the kill really came mid-burst

    // The new primary has no replica yet, so nothing new can be acknowledged: what Telegram
    // was told we have must be answered from what the replica had.
    await until(
      () =>
        traffic.users.every(
          (u) => covered(answered(f, u.id), traffic.expected(u.id)) >= traffic.acknowledged(u.id),
        ),
      30_000,
      "every acknowledged message answered after the failover",
      () => `${bot.output()}\n${traffic.report()}`,
    );
    // The first wave was acknowledged (the replica had it); the second waits for a replica.
    expect(traffic.confirmed()).toBeGreaterThanOrEqual(80);
    expect(traffic.confirmed()).toBeLessThan(traffic.total);

    // The old primary's host comes back (empty: no persistence) as a replica of the new one
    // (Sentinel would convert it itself at its next INFO, within 10 s; this is the same,
    // sooner): WAIT succeeds again and the rest is recorded and answered.
    await set.startReplica(old, replica.port);
    await until(
      () => traffic.users.every((u) => covered(answered(f, u.id), traffic.expected(u.id)) === 8),
      40_000,
      "every message answered once a replica follows the new primary",
      () => `${bot.output()}\n${traffic.report()}`,
    );
    expect(traffic.confirmed()).toBe(traffic.total);
    for (const u of traffic.users)
      expect(
        covered(answered(f, u.id), traffic.expected(u.id)),
        `chat ${u.id}: ${answered(f, u.id)}`,
      ).toBe(8);
  }, 90_000);
});

/** Fills the replication link of a paused replica until the primary itself holds the rest. */
async function behind(primaryPort: number): Promise<void> {
  const control = new Redis({ port: primaryPort, host: "127.0.0.1" });
  control.on("error", () => {});
  try {
    await control.set("fl-test:filler", Buffer.alloc(64 * 1024 * 1024, 120));
    for (;;) {
      const list = String(await control.call("CLIENT", "LIST", "TYPE", "replica"));
      const omem = Number(/omem=(\d+)/.exec(list)?.[1] ?? 0);
      if (omem > 1024 * 1024) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    control.disconnect();
  }
}

/**
 * Customers asking for languages, one message each per round; remembers which update carries
 * which message, so what Telegram counts as acknowledged (the polling offset the bot confirmed)
 * can be told per chat.
 */
function languageTraffic(f: FakeTelegram, customers: number) {
  const users = Array.from({ length: customers }, (_, i) =>
    f.addUser({ id: 71_000 + i, first_name: `C${i}`, language_code: "en" }),
  );
  const sent: { chat: number; lang: string; updateId: number }[] = [];
  let rounds = 0;
  // Telegram forgets an update once getUpdates asks past it; the fake counts those it still keeps.
  const confirmed = () => f.updateIdCounter - f.pendingUpdates();
  const first = f.updateIdCounter + 1;
  return {
    users,
    get total() {
      return sent.length;
    },
    send(count: number) {
      for (let n = rounds; n < rounds + count; n++)
        for (const u of users) {
          const lang = LANGS[(n + u.id) % LANGS.length]!;
          f.sendUserMessage(u, `/language ${lang}`);
          sent.push({ chat: u.id, lang, updateId: f.updateIdCounter });
        }
      rounds += count;
    },
    expected: (chat: number) => sent.filter((m) => m.chat === chat).map((m) => m.lang),
    /** How many of the chat's messages the bot has acknowledged to Telegram. */
    acknowledged: (chat: number) =>
      sent.filter((m) => m.chat === chat && m.updateId <= confirmed()).length,
    /** Messages acknowledged so far (updates are numbered from the first one sent). */
    confirmed: () => Math.max(0, confirmed() - first + 1),
    report: () =>
      users
        .map(
          (u) =>
            `${u.id}: acknowledged ${sent.filter((m) => m.chat === u.id && m.updateId <= confirmed()).length}, answered ${answered(f, u.id).join(",")}`,
        )
        .join("\n"),
  };
}

/**
 * How far a chat's answers reach into its expected answers, or -1 if they are out of order,
 * wrong or missing one. A failover may roll the primary back a little (the replica had not yet
 * seen the last sends marked done), so some answers may come again, once, in their order: the
 * answers are expected[0..m) followed by expected[k..j) for some k ≤ m; this returns the
 * farthest such j.
 */
function covered(got: string[], expected: string[]): number {
  let best = -1;
  for (let m = 0; m <= got.length; m++) {
    if (got.slice(0, m).some((g, i) => g !== expected[i])) break;
    const rest = got.slice(m);
    for (let k = 0; k <= m; k++)
      if (rest.every((g, i) => g === expected[k + i])) best = Math.max(best, m, k + rest.length);
  }
  return best;
}
