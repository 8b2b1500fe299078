// `npm run bench:replicas`: what REDIS_WAIT_REPLICAS costs. A private primary and one replica
// (from the redis-server binary, on loopback), and Frontline (grammY adapter on the fake Bot
// API, shipped flows, unpaced) on the primary with REDIS_WAIT_REPLICAS=0 and =1 in turn, in
// the same run, rounds alternating which goes first. Per setting: the intake's record (the
// adapter's call into the sink, which the platform's acknowledgement waits for) at a fixed
// rate, the answer latency at that rate, and a burst's records and answers per second.
//
// Knobs (env): BENCH_ROUNDS (3), BENCH_RATE (200 msg/s), BENCH_RATE_SECONDS (5),
// BENCH_CUSTOMERS (200), BENCH_MESSAGES (5 per customer in the burst).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { IntentRouter } from "../src/engine/router.ts";
import { loadFlows } from "../src/flows/load.ts";
import { freePort } from "../src/runtime/redis.ts";
import { dataNodeArgs, startRedisNode } from "../test/support/redis-sentinel.ts";
import { envInt, fmt, guardBench, log } from "./common.ts";
import { startFrontline, UNPACED } from "./telegram-bots.ts";
import { burst, fixedRate, latencyStats, makeCustomers } from "./telegram-load.ts";

const ROUNDS = envInt("BENCH_ROUNDS", 3);
const RATE = envInt("BENCH_RATE", 200);
const RATE_SECONDS = envInt("BENCH_RATE_SECONDS", 5);
const CUSTOMERS = envInt("BENCH_CUSTOMERS", 200);
const MESSAGES = envInt("BENCH_MESSAGES", 5);
const TIMEOUT_MS = 60_000;

const guard = guardBench("bench:replicas", { watchdogMs: 10 * 60_000 });

interface Round {
  recordP50: number;
  recordP95: number;
  recordP99: number;
  answerP95: number;
  burstRecordsPerSecond: number;
  burstAnswersPerSecond: number;
  problems: number;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor(s.length / 2)] as number);
};

async function measure(
  redis: Redis,
  replicas: number,
  flows: ReturnType<typeof loadShipped>,
): Promise<Round> {
  const contender = await startFrontline({
    redis,
    flows: flows.flowSet,
    router: flows.router,
    channelLimits: UNPACED,
    waitReplicas: { replicas, timeoutMs: 1_000 },
  });
  try {
    // The adapter calls the sink for every update and acknowledges only when it resolves.
    const sink = contender.bot.frontline.sink;
    const record = sink.customer;
    let recordTimes: number[] = [];
    let lastRecorded = Number.NaN;
    sink.customer = async (event) => {
      const t0 = performance.now();
      await record(event);
      lastRecorded = performance.now();
      recordTimes.push(lastRecorded - t0);
    };
    const customers = makeCustomers(contender.fake, 1_000, CUSTOMERS);
    const rate = await fixedRate(
      contender.fake,
      customers,
      RATE,
      RATE_SECONDS,
      "/help",
      TIMEOUT_MS,
    );
    const atRate = latencyStats(recordTimes);
    await contender.quiesce();
    recordTimes = [];
    const firstPush = performance.now();
    const many = await burst(contender.fake, customers, MESSAGES, "/help", TIMEOUT_MS);
    const problems = rate.check.missing + rate.check.extra + many.check.missing + many.check.extra;
    return {
      recordP50: atRate.p50,
      recordP95: atRate.p95,
      recordP99: atRate.p99,
      answerP95: rate.latency.p95,
      burstRecordsPerSecond: (recordTimes.length / (lastRecorded - firstPush)) * 1000,
      burstAnswersPerSecond: many.perSecond,
      problems,
    };
  } finally {
    await contender.quiesce();
    await contender.stop();
  }
}

function loadShipped() {
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("the shipped flows do not load");
  return { flowSet: loaded.flowSet, router: new IntentRouter(loaded.flowSet) };
}

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), "fl-bench-replicas-"));
  guard.cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const primaryPort = await freePort();
  const primary = await startRedisNode(primaryPort, dataNodeArgs(primaryPort, dir));
  guard.cleanups.push(() => primary.kill());
  const replicaPort = await freePort();
  const replica = await startRedisNode(
    replicaPort,
    dataNodeArgs(replicaPort, dir, ["--replicaof", "127.0.0.1", String(primaryPort)]),
  );
  guard.cleanups.push(() => replica.kill());
  const redis = new Redis({ port: primaryPort, host: "127.0.0.1", maxRetriesPerRequest: null });
  guard.cleanups.push(async () => redis.disconnect());
  while (!/connected_slaves:1/.test(await redis.info("replication")))
    await new Promise((r) => setTimeout(r, 50));
  const version = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1];
  const cpus = os.cpus();
  log(
    `bench:replicas — Node ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? "?"}), Redis ${version}: a primary and one replica on loopback`,
  );
  log(
    `${ROUNDS} rounds; per setting: ${RATE} msg/s for ${RATE_SECONDS} s from ${CUSTOMERS} customers, then ${CUSTOMERS} × ${MESSAGES} at once ("/help", unpaced sends)`,
  );
  const flows = loadShipped();
  // Warm-up, not counted: the first run of a process pays for its JIT and its connections.
  await measure(redis, 1, flows);
  const results: Record<0 | 1, Round[]> = { 0: [], 1: [] };
  for (let round = 0; round < ROUNDS && !guard.interrupted; round++) {
    const order: (0 | 1)[] = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const replicas of order) {
      const r = await measure(redis, replicas, flows);
      results[replicas].push(r);
      log(
        `  round ${round + 1}, REDIS_WAIT_REPLICAS=${replicas}: record p50 ${fmt(r.recordP50, 2)} / p95 ${fmt(r.recordP95, 2)} / p99 ${fmt(r.recordP99, 2)} ms, answer p95 ${fmt(r.answerP95)} ms; burst ${fmt(r.burstRecordsPerSecond, 0)} records/s, ${fmt(r.burstAnswersPerSecond, 0)} answers/s${r.problems ? `; ${r.problems} missing or extra answers` : ""}`,
      );
    }
  }
  const row = (label: string, pick: (r: Round) => number, digits: number, unit: string) => {
    const [off, on] = [median(results[0].map(pick)), median(results[1].map(pick))];
    log(
      `| ${label} | ${fmt(off, digits)} ${unit} | ${fmt(on, digits)} ${unit} | ${fmt(on / off, 2)}× |`,
    );
  };
  log();
  log(`Medians of ${ROUNDS} rounds:`);
  log("| metric | REDIS_WAIT_REPLICAS=0 | =1 | ratio |");
  log("| --- | --- | --- | --- |");
  row(`record (update → acknowledgeable) p50 at ${RATE} msg/s`, (r) => r.recordP50, 2, "ms");
  row("same, p95", (r) => r.recordP95, 2, "ms");
  row("same, p99", (r) => r.recordP99, 2, "ms");
  row(`answer p95 at ${RATE} msg/s`, (r) => r.answerP95, 1, "ms");
  row(
    `burst of ${CUSTOMERS * MESSAGES}: records per second`,
    (r) => r.burstRecordsPerSecond,
    0,
    "/s",
  );
  row("same: answers per second", (r) => r.burstAnswersPerSecond, 0, "/s");
  const problems = [...results[0], ...results[1]].reduce((a, r) => a + r.problems, 0);
  if (problems > 0) log(`${problems} missing or extra answers: the figures above are suspect`);
}

main()
  .then(() => guard.exitAfterCleanup(0))
  .catch(async (err) => {
    process.stderr.write(`bench:replicas failed: ${(err as Error)?.stack ?? err}\n`);
    await guard.exitAfterCleanup(1);
  });
