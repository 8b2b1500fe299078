// Redis Sentinel on real servers: a primary, a replica and three sentinels started by the test
// from the redis-server binary. The real binary finds the primary through the sentinels, says
// in one sentence what is wrong when it cannot, and follows a failover by itself.
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/runtime/redis.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { type BotProcess, spawnBot } from "../support/bot-process.ts";
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

describe("Redis Sentinel", () => {
  it("doctor names the primary the sentinels chose; start refuses unreachable sentinels and an unknown name in one sentence", async () => {
    set = await startSentinelSet();
    fake = await FakeTelegram.start();
    const base = { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot };
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
});
