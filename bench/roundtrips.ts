// `npm run bench:roundtrips`: the Redis work behind one scripted answer (the hot-path issue's
// yardstick: ≤ 15 top-level commands per answer, ≤ 5 sequential round trips before the send).
// Frontline (grammY adapter on the fake Bot API, real Redis) answers BENCH_SAMPLES `/help`
// messages, each from a new customer and alone in the system; a MONITOR connection sees every
// command. Per answer it counts the commands up to the sendMessage call and up to the moment
// the work is done (including BullMQ's job bookkeeping and its background checks, measured in
// an idle window of the same length and subtracted), and estimates the sequential round trips
// before the send as the bursts of commands separated by a gap (a pipeline is one burst).
// BENCH_SHOW=1 prints each answer's commands up to the send, with their times.
//
// Knobs (env): BENCH_SAMPLES (20), BENCH_SHOW, BENCH_PARTITIONS (QUEUE_PARTITIONS, 1: what
// the joins across a chat's families cost when they are split), REDIS_URL.
import { Redis } from "ioredis";
import { connectTestRedis, testRedisUrl } from "../test/support/redis.ts";
import { envInt, fmt, guardBench, log } from "./common.ts";
import { keyKind, startShippedFrontline } from "./telegram-bots.ts";

const SAMPLES = envInt("BENCH_SAMPLES", 20);
const PARTITIONS = envInt("BENCH_PARTITIONS", 1);
/** Commands closer than this to the previous one count as one burst (one round trip). */
const BURST_GAP_MS = 0.3;
const WINDOW_MS = 400;

const guard = guardBench("bench:roundtrips", { watchdogMs: 10 * 60_000 });

interface Seen {
  at: number;
  command: string;
  /** Run by a script (MONITOR shows those too), not sent by a client. */
  inScript: boolean;
}

/** Commands closer together than BURST_GAP_MS count as one burst (one round trip). */
function countBursts(commands: Seen[]): number {
  let count = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of commands) {
    if (s.at - last > BURST_GAP_MS) count += 1;
    last = s.at;
  }
  return count;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!;
}

async function main() {
  const redis = connectTestRedis();
  guard.cleanups.push(async () => {
    redis.disconnect();
  });
  const bot = await startShippedFrontline(redis, PARTITIONS);
  guard.cleanups.push(() => bot.stop());
  let sendAt: number | undefined;
  bot.fake.onCall((c) => {
    if (c.method === "sendMessage") sendAt ??= performance.timeOrigin + performance.now();
  });
  // Script names by SHA (ours and BullMQ's are defined on the shared connection).
  const names = new Map<string, string>();
  const warm = bot.fake.addUser({ id: 90_000, first_name: "Warm", language_code: "en" });
  bot.fake.sendUserMessage(warm, "/help");
  await new Promise((r) => setTimeout(r, 1_000));
  for (const [name, script] of Object.entries(
    (redis as unknown as { scriptsSet: Record<string, { sha: string }> }).scriptsSet ?? {},
  ))
    names.set(script.sha, name);

  const monitor = new Redis(testRedisUrl());
  guard.cleanups.push(async () => {
    monitor.disconnect();
  });
  const seen: Seen[] = [];
  const feed = await monitor.monitor();
  feed.on("monitor", (time: string, args: string[], source: string) => {
    if (!args.some((a) => a.startsWith(bot.prefix))) return; // another client's keys
    const command = args[0]!.toLowerCase();
    const label =
      command === "evalsha"
        ? (names.get(args[1]!) ?? `script ${args[1]!.slice(0, 8)}`)
        : `${command} ${keyKind(args.find((a) => a.startsWith(bot.prefix)) ?? "", bot.prefix)}`;
    seen.push({ at: Number(time) * 1000, command: label, inScript: source === "lua" });
  });
  guard.cleanups.push(async () => {
    feed.disconnect();
  });
  await bot.quiesce(20_000);

  // Background: the same window with nothing sent.
  const idle: number[] = [];
  for (let i = 0; i < 5; i++) {
    const from = seen.length;
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    idle.push(seen.slice(from).filter((s) => !s.inScript).length);
  }
  const background = median(idle);

  const before: number[] = [];
  const total: number[] = [];
  const inside: number[] = [];
  const bursts: number[] = [];
  const onPath: number[] = [];
  const byCommand = new Map<string, number>();
  for (let i = 0; i < SAMPLES; i++) {
    const user = bot.fake.addUser({ id: 91_000 + i, first_name: `S${i}`, language_code: "en" });
    sendAt = undefined;
    const from = seen.length;
    const pushedAt = performance.timeOrigin + performance.now();
    bot.fake.sendUserMessage(user, "/help");
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const all = seen.slice(from).filter((s) => s.at >= pushedAt - 1);
    inside.push(all.filter((s) => s.inScript).length);
    const mine = all.filter((s) => !s.inScript);
    const upToSend = mine.filter((s) => sendAt !== undefined && s.at <= sendAt);
    before.push(upToSend.length);
    total.push(mine.length);
    bursts.push(countBursts(upToSend));
    // The send's own last Redis step is its token take (which also checks the lease): what
    // comes after it but before the HTTP call reaches the fake (the intake acknowledging its
    // item) runs beside the send, not ahead of it.
    const take = upToSend.findLastIndex((s) => s.command.startsWith("bucketTakeBoth"));
    onPath.push(countBursts(take < 0 ? upToSend : upToSend.slice(0, take + 1)));
    if (process.env.BENCH_SHOW)
      log(
        upToSend.map((s) => `  +${(s.at - upToSend[0]!.at).toFixed(2)} ms ${s.command}`).join("\n"),
      );
    for (const s of mine) byCommand.set(s.command, (byCommand.get(s.command) ?? 0) + 1);
    await bot.quiesce(5_000);
  }
  log(
    `bench:roundtrips — ${SAMPLES} scripted answers (/help), each alone, one new customer each; QUEUE_PARTITIONS=${PARTITIONS}`,
  );
  log(
    `background (BullMQ's checks and lock renewals, per ${WINDOW_MS} ms idle window): ${fmt(background, 0)} commands`,
  );
  log();
  log("per answer (median)                                     measured   target");
  log(
    `top-level commands up to the sendMessage call           ${fmt(median(before), 0).padStart(8)}`,
  );
  log(
    `round trips before the send (bursts, est.)              ${fmt(median(bursts), 0).padStart(8)}`,
  );
  log(
    `  of them sequential on the send's path (to its token take) ${fmt(median(onPath), 0).padStart(6)}   ≤ 5`,
  );
  log(
    `top-level commands for the whole answer (− background)  ${fmt(median(total) - background, 0).padStart(8)}   ≤ 15`,
  );
  log(
    `operations inside scripts for the whole answer           ${fmt(median(inside), 0).padStart(8)}`,
  );
  log();
  log("top-level commands over all samples, most frequent first:");
  for (const [command, n] of [...byCommand].sort((a, b) => b[1] - a[1]))
    log(`  ${command.padEnd(40)} ${fmt(n / SAMPLES, 1).padStart(6)} per answer`);
}

void (async () => {
  try {
    await main();
    await guard.exitAfterCleanup(0);
  } catch (err) {
    process.stderr.write(`bench:roundtrips failed: ${(err as Error)?.stack ?? err}\n`);
    await guard.exitAfterCleanup(1);
  }
})();
