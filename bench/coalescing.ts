// `npm run bench:coalescing`: the same Frontline (Service + grammY adapter, shipped flows, real
// Redis, fake Bot API over HTTP) twice in one process, on two connections: one with its Redis
// writes coalesced per event-loop turn (the default, src/runtime/write-coalescing.ts), one
// writing each command on its own. Throughput rounds alternate between the two, so machine
// noise falls on both alike; the first two rounds of each warm up and are not counted.
// Knobs (env): BENCH_ROUNDS (10 counted per side), BENCH_CUSTOMERS (200), BENCH_MESSAGES (10).

import { Redis } from "ioredis";
import { IntentRouter } from "../src/engine/router.ts";
import { loadFlows } from "../src/flows/load.ts";
import { envInt, fmt, guardBench, log } from "./common.ts";
import { type Contender, startFrontline, UNPACED } from "./telegram-bots.ts";
import { burst, makeCustomers } from "./telegram-load.ts";

const ROUNDS = envInt("BENCH_ROUNDS", 10);
const CUSTOMERS = envInt("BENCH_CUSTOMERS", 200);
const MESSAGES = envInt("BENCH_MESSAGES", 10);
const WARMUP_ROUNDS = 2;

const guard = guardBench("bench:coalescing", { watchdogMs: 300_000 });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<number> {
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("the shipped flows do not load; run `npm run test` first");
  const router = new IntentRouter(loaded.flowSet);
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const start = async (coalesce: boolean): Promise<Contender> => {
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    guard.cleanups.push(async () => void (await redis.quit()));
    const bot = await startFrontline({
      redis,
      flows: loaded.flowSet,
      router,
      channelLimits: UNPACED,
      coalesceRedisWrites: coalesce,
    });
    guard.cleanups.push(bot.stop);
    return bot;
  };
  const sides = [
    { name: "coalesced (default)", bot: await start(true), rates: [] as number[] },
    { name: "one write per command", bot: await start(false), rates: [] as number[] },
  ];
  log(
    `bench:coalescing — ${CUSTOMERS} customers × ${MESSAGES} "/help" pushed at once, ${ROUNDS} counted rounds per side (+${WARMUP_ROUNDS} warm-up), alternating`,
  );
  let nextId = 1_000;
  for (let round = 0; round < ROUNDS + WARMUP_ROUNDS && !guard.interrupted; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const customers = makeCustomers(side.bot.fake, nextId, CUSTOMERS);
      nextId += CUSTOMERS;
      const result = await burst(side.bot.fake, customers, MESSAGES, "/help", 60_000);
      const { missing, extra } = result.check;
      if (missing > 0 || extra > 0)
        throw new Error(`${side.name}: ${missing} messages unanswered, ${extra} answered twice`);
      await side.bot.quiesce(10_000);
      if (round >= WARMUP_ROUNDS) side.rates.push(result.perSecond);
    }
  }
  log("");
  log("Redis writes            throughput, msg/s (median)   per round");
  for (const side of sides)
    log(
      `${side.name.padEnd(24)}${fmt(median(side.rates), 0).padStart(10)}                  ${side.rates.map((r) => fmt(r, 0)).join(", ")}`,
    );
  const [on, off] = sides as [(typeof sides)[0], (typeof sides)[0]];
  log(`ratio coalesced / one per command: ${fmt(median(on.rates) / median(off.rates), 2)}×`);
  return 0;
}

main().then(
  (code) => guard.exitAfterCleanup(code),
  (err) => {
    process.stderr.write(`bench:coalescing failed: ${(err as Error)?.stack ?? err}\n`);
    return guard.exitAfterCleanup(1);
  },
);
