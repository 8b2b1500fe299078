// `npm run bench:redis-memory`: what Redis keeps per answered message, and for how long.
// Frontline (grammY adapter on the fake Bot API, real Redis) answers BENCH_MESSAGES messages
// from BENCH_CUSTOMERS customers (a mix of commands and free text through the intent matcher);
// then every key under its prefix is measured (MEMORY USAGE) with its time to live, grouped by
// kind. Instead of waiting days, the bench adds up what is still there at each horizon: a key
// counts while its TTL is longer than the horizon. A conversation's state is reported per
// customer (it lives as long as the conversation), and BullMQ's own bookkeeping apart (kept
// by count, not by time: completed jobs up to removeOnComplete, the events stream).
//
// Then the stored volume a long-running bot would hold is simulated instead of waited for: the
// per-message records the run left are copied (DUMP/RESTORE, same size and TTL) as if 1k, 10k,
// 100k and 1M messages had been answered within their dedupe windows, and used_memory per
// stored message is read at each step: it must stay flat (no structure that grows with the
// stored volume). The copies go under a prefix of their own and are deleted at the end.
//
// Knobs (env): BENCH_CUSTOMERS (1000), BENCH_MESSAGES (10000), BENCH_STORED_MAX (1000000),
// REDIS_URL.

import { connectTestRedis } from "../test/support/redis.ts";
import { envInt, fmt, guardBench, log } from "./common.ts";
import { keyKind, startShippedFrontline } from "./telegram-bots.ts";

const CUSTOMERS = envInt("BENCH_CUSTOMERS", 1_000);
const MESSAGES = envInt("BENCH_MESSAGES", 10_000);
const STORED_MAX = envInt("BENCH_STORED_MAX", 1_000_000);
const LINES = ["/help", "I forgot my password", "when are you open?", "thanks!", "/menu"];
const HORIZONS: [string, number][] = [
  ["right after", 0],
  ["after 10 min", 600_000],
  ["after 1 h", 3_600_000],
  ["after 6 h", 6 * 3_600_000],
  ["after 26 h", 26 * 3_600_000],
];

const guard = guardBench("bench:redis-memory", { watchdogMs: 15 * 60_000 });

async function main() {
  const redis = connectTestRedis();
  guard.cleanups.push(async () => {
    redis.disconnect();
  });
  const bot = await startShippedFrontline(redis);
  guard.cleanups.push(() => bot.stop());
  let replies = 0;
  bot.fake.onCall((c) => {
    if (c.method === "sendMessage" && c.ok) replies += 1;
  });
  const users = Array.from({ length: CUSTOMERS }, (_, i) =>
    bot.fake.addUser({ id: 80_000 + i, first_name: `C${i}`, language_code: "en" }),
  );
  const before = await usedMemory(redis);
  const started = Date.now();
  for (let n = 0; n < MESSAGES; n++)
    bot.fake.sendUserMessage(
      users[n % CUSTOMERS]!,
      LINES[Math.floor(n / CUSTOMERS) % LINES.length]!,
    );
  while (replies < MESSAGES) {
    if (Date.now() - started > 10 * 60_000) throw new Error(`only ${replies} replies in 10 min`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await bot.quiesce(60_000);
  const after = await usedMemory(redis);

  const kinds = new Map<string, { keys: number; bytes: number; ttls: number[]; sample: string }>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${bot.prefix}*`, "COUNT", 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of keys) pipe.memory("USAGE", k).pttl(k);
    const out = (await pipe.exec()) ?? [];
    keys.forEach((k, i) => {
      const bytes = Number(out[2 * i]?.[1] ?? 0);
      const ttl = Number(out[2 * i + 1]?.[1] ?? -1);
      const kind = keyKind(k, bot.prefix);
      const entry = kinds.get(kind) ?? { keys: 0, bytes: 0, ttls: [], sample: k };
      entry.keys += 1;
      entry.bytes += bytes;
      entry.ttls.push(ttl);
      kinds.set(kind, entry);
    });
  } while (cursor !== "0");

  log(
    `bench:redis-memory — ${fmt(MESSAGES, 0)} messages from ${fmt(CUSTOMERS, 0)} customers answered (${LINES.join(" | ")})`,
  );
  log(
    `Redis used_memory: ${fmt(before / 1e6, 1)} MB before, ${fmt(after / 1e6, 1)} MB after (${fmt((after - before) / MESSAGES, 0)} bytes per message, BullMQ's bookkeeping included)`,
  );
  log();
  const classOf = (kind: string) =>
    kind.endsWith(":state") ? "customer" : kind.startsWith("bull:") ? "bullmq" : "message";
  log(
    "key kind                                              keys      bytes  per message  TTL          counted per",
  );
  const rows = [...kinds].sort((a, b) => b[1].bytes - a[1].bytes);
  for (const [kind, e] of rows) {
    const live = e.ttls.filter((t) => t > 0);
    const ttl =
      live.length === 0
        ? "none"
        : `${fmt(Math.min(...live) / 3_600_000, 1)}–${fmt(Math.max(...live) / 3_600_000, 1)} h`;
    log(
      `${kind.slice(0, 52).padEnd(52)} ${String(e.keys).padStart(6)} ${fmt(e.bytes, 0).padStart(10)} ${fmt(e.bytes / MESSAGES, 1).padStart(12)}  ${ttl.padEnd(12)} ${classOf(kind)}`,
    );
  }
  log();
  log("horizon         kept per answered message   target");
  for (const [label, ms] of HORIZONS) {
    let bytes = 0;
    for (const [kind, e] of rows) {
      if (classOf(kind) !== "message") continue;
      bytes += (e.bytes / e.keys) * e.ttls.filter((t) => t > ms || t === -1).length;
    }
    log(
      `${label.padEnd(15)} ${`${fmt(bytes / MESSAGES, 0)} bytes`.padStart(12)}${label === "after 26 h" ? "                ≤ 300 bytes once the dedupe window (26 h) has passed" : ""}`,
    );
  }
  const sum = (cls: string) =>
    rows.filter(([k]) => classOf(k) === cls).reduce((a, [, e]) => a + e.bytes, 0);
  log(
    `per customer: ${fmt(sum("customer") / CUSTOMERS, 0)} bytes (the conversation's state, 30 days after the last message)`,
  );
  log(
    `BullMQ bookkeeping: ${fmt(sum("bullmq") / 1e6, 1)} MB, bounded by count (completed jobs kept up to 5,000 per queue for 10 min; events streams trimmed by BullMQ), not by traffic`,
  );
  const perMessage = rows.filter(([k, e]) => classOf(k) === "message" && e.ttls.some((t) => t > 0));
  await storedVolume(redis, perMessage);
}

/** Copies the per-message records as if `volume` messages were stored; prints bytes per message. */
async function storedVolume(
  redis: ReturnType<typeof connectTestRedis>,
  perMessage: [string, { keys: number; sample: string }][],
): Promise<void> {
  const prefix = `flvol:${process.pid}:`;
  guard.cleanups.push(() => dropKeys(redis, prefix));
  const samples: { dump: Buffer; ttl: number; perMessage: number }[] = [];
  for (const [, e] of perMessage) {
    const dump = await redis.dumpBuffer(e.sample);
    const ttl = await redis.pttl(e.sample);
    if (dump && ttl > 0) samples.push({ dump, ttl, perMessage: e.keys / MESSAGES });
  }
  log();
  log(
    "stored volume (the run's per-message records copied with their sizes and TTLs, as if that many messages had been answered in the last hour: every per-message record still there):",
  );
  log("stored messages   used_memory growth   per stored message");
  const base = await usedMemory(redis);
  let stored = 0;
  const written = samples.map(() => 0);
  for (let volume = 1_000; volume <= STORED_MAX; volume *= 10) {
    while (stored < volume && !guard.interrupted) {
      const batch = Math.min(2_000, volume - stored);
      const pipe = redis.pipeline();
      samples.forEach((sample, i) => {
        const want = Math.round((stored + batch) * sample.perMessage);
        for (; written[i]! < want; written[i]! += 1)
          pipe.restore(`${prefix}${i}:${written[i]}`, sample.ttl, sample.dump);
      });
      await pipe.exec();
      stored += batch;
    }
    const grown = (await usedMemory(redis)) - base;
    log(
      `${fmt(volume, 0).padStart(15)}   ${`${fmt(grown / 1e6, 1)} MB`.padStart(18)}   ${`${fmt(grown / volume, 0)} bytes`.padStart(18)}`,
    );
  }
  await dropKeys(redis, prefix);
}

async function dropKeys(redis: ReturnType<typeof connectTestRedis>, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 5_000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== "0");
}

async function usedMemory(redis: ReturnType<typeof connectTestRedis>): Promise<number> {
  const info = await redis.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

void (async () => {
  try {
    await main();
    await guard.exitAfterCleanup(0);
  } catch (err) {
    process.stderr.write(`bench:redis-memory failed: ${(err as Error)?.stack ?? err}\n`);
    await guard.exitAfterCleanup(1);
  }
})();
