// `npm run bench:telegram`: simulated customers against the fake Telegram Bot API (in this
// process, over real HTTP), answered by Frontline (Service + grammY adapter, real Redis) and by
// a bare grammY bot on @grammyjs/runner that replies directly, in the same run.
//
// Scenarios: throughput (every message pushed up front), a fixed 200 msg/s, free text at that
// rate (through the intent matcher), one customer's burst of 10 at once (repeated 20 times),
// and Frontline with Telegram's real send limits (to show they are honoured). Knobs (env): BENCH_CUSTOMERS (200),
// BENCH_MESSAGES (10 per customer), BENCH_ROUNDS (5), BENCH_RATE (200), BENCH_RATE_SECONDS (10),
// BENCH_ARRIVALS (even | poisson), BENCH_COALESCE (1; 0 writes each Redis command on its own),
// BENCH_PARTITIONS (1; QUEUE_PARTITIONS for Frontline),
// REDIS_URL. TEST_LOG_LEVEL=info shows Frontline's logs.

import os from "node:os";
import type { Api } from "grammy";
import { Redis } from "ioredis";
import { TelegramChannel } from "../adapters/telegram/index.ts";
import { IntentRouter } from "../src/engine/router.ts";
import { loadFlows } from "../src/flows/load.ts";
import { envInt, fmt, guardBench, log } from "./common.ts";
import { type Contender, startBareGrammy, startFrontline, UNPACED } from "./telegram-bots.ts";
import { type CpuUse, Meter } from "./telegram-host.ts";
import {
  type Arrivals,
  type BurstResult,
  burst,
  type Customer,
  fixedRate,
  makeCustomers,
  mergeRates,
  type PacedResult,
  paced,
  type RateResult,
  type RunCheck,
} from "./telegram-load.ts";

const CUSTOMERS = envInt("BENCH_CUSTOMERS", 200);
const MESSAGES = envInt("BENCH_MESSAGES", 10);
const ROUNDS = envInt("BENCH_ROUNDS", 5);
const RATE = envInt("BENCH_RATE", 200);
const RATE_SECONDS = envInt("BENCH_RATE_SECONDS", 10);
/** BENCH_COALESCE=0: Frontline writes each Redis command on its own (src/runtime/write-coalescing.ts). */
const COALESCE = process.env.BENCH_COALESCE !== "0";
/** BENCH_PARTITIONS=N: Frontline with QUEUE_PARTITIONS=N (on one Redis: the cost of the split joins). */
const PARTITIONS = envInt("BENCH_PARTITIONS", 1);
const ARRIVALS: Arrivals = process.env.BENCH_ARRIVALS === "poisson" ? "poisson" : "even";
const RATE_WARMUP_SECONDS = 2;
// One scripted answer per message in the shipped flows. BENCH_TEXT="thanks, that helped" runs
// the free-text path instead (the intent matcher picks the small-talk flow: one reply, no state).
const TEXT = process.env.BENCH_TEXT ?? "/help";
/** The free-text scenario: through the intent matcher to the small-talk flow (one reply). */
const FREE_TEXT = "thanks, that helped";
/** The burst scenario: one customer sends this many at once, answered in order; repeated. */
const BURST_ONE = 10;
const BURST_ONE_REPEATS = 20;
/** Whatever happens, the process exits by then (a whole run takes about 110 s). */
const WATCHDOG_MS = 300_000;
/** Cleanup (stopping bots, deleting Redis keys) may take this long before we exit anyway. */
const CLEANUP_MS = 20_000;

// Telegram's real limits as the channel applies them (adapters/telegram/channel.ts).
const PACED_CUSTOMERS = 50;
const PACED_MESSAGES = 3;
const CHATTY_MESSAGES = 8;
// Read from the channel itself, so the check follows any change to its limits.
const realLimits = new TelegramChannel({} as Api);
const TG_GLOBAL = realLimits.globalLimit;
const TG_PRIVATE = realLimits.limitFor({ channel: "telegram", chatId: "1" });

// DESIGN.md, Targets.
const TARGET_P95_MS = 30;
const TARGET_P99_MS = 100;
const TARGET_RATIO = 0.5;
/** Above this share of a core used by other processes, a phase is flagged as noisy. */
const NOISY_OTHERS_PCT = 25;

const guard = guardBench("bench:telegram", { watchdogMs: WATCHDOG_MS, cleanupMs: CLEANUP_MS });
const { cleanups, exitAfterCleanup } = guard;

interface Measured<T> {
  result: T;
  cpu: CpuUse;
  /** Event-loop delay of this process, ms. */
  loop: { p99: number; max: number };
}

interface ContenderResults {
  bursts: Measured<BurstResult>[];
  /** The median round by throughput. */
  burst: Measured<BurstResult>;
  rate: Measured<RateResult>;
}

const warnings: string[] = [];

function checkRun(who: string, what: string, check: RunCheck): void {
  if (check.missing === 0 && check.extra === 0 && check.badChats === 0) return;
  const w = `${who}, ${what}: ${check.missing} message(s) unanswered, ${check.extra} extra repl(ies), ${check.badChats} chat(s) with a wrong reply count`;
  warnings.push(w);
  process.stderr.write(`WARNING: ${w}\n`);
}

function percentileOf(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function medianBy<T>(items: T[], key: (t: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

function cpuText(c: CpuUse): string {
  return `CPU % of a core: this process ${fmt(c.node, 0)}, Redis ${fmt(c.redis, 0)}, other processes ${fmt(c.others, 0)}`;
}

/** Runs `fn` and records where the CPU went meanwhile. */
async function measured<T>(redis: Redis, fn: () => Promise<T>): Promise<Measured<T>> {
  const meter = new Meter();
  const result = await meter.run(redis, fn);
  return { result, cpu: meter.cpu, loop: meter.loopDelay };
}

interface Entrant {
  who: string;
  contender: Contender;
  burstCustomers: Customer[];
  rateCustomers: Customer[];
  bursts: Measured<BurstResult>[];
  rateMeter: Meter;
  rateParts: RateResult[];
  textCustomers: Customer[];
  burstOneCustomers: Customer[];
}

function entrant(who: string, contender: Contender): Entrant {
  const { fake } = contender;
  return {
    who,
    contender,
    burstCustomers: makeCustomers(fake, 100_000, CUSTOMERS),
    rateCustomers: makeCustomers(fake, 200_000, CUSTOMERS),
    bursts: [],
    rateMeter: new Meter(),
    rateParts: [],
    textCustomers: makeCustomers(fake, 600_000, CUSTOMERS),
    burstOneCustomers: makeCustomers(fake, 700_000, BURST_ONE_REPEATS),
  };
}

async function settled(e: Entrant): Promise<void> {
  if (!(await e.contender.quiesce())) {
    warnings.push(
      `${e.who}: background jobs still pending after 15 s; the next phase may be disturbed`,
    );
  }
}

async function warmUp(e: Entrant): Promise<void> {
  const { fake } = e.contender;
  const warm = await burst(fake, e.burstCustomers, MESSAGES, TEXT, 60_000);
  checkRun(e.who, "warm-up", warm.check);
  await settled(e);
  // The fixed-rate path (one update per getUpdates, new conversations) gets its own warm-up.
  const rate = await fixedRate(
    fake,
    e.rateCustomers,
    RATE,
    RATE_WARMUP_SECONDS,
    TEXT,
    30_000,
    ARRIVALS,
  );
  checkRun(e.who, "fixed-rate warm-up", rate.check);
  await settled(e);
}

async function throughputRound(redis: Redis, e: Entrant, round: number): Promise<void> {
  const m = await measured(redis, () =>
    burst(e.contender.fake, e.burstCustomers, MESSAGES, TEXT, 60_000),
  );
  const b = m.result;
  checkRun(e.who, `throughput round ${round}`, b.check);
  log(
    `  round ${round}, ${e.who}: ${b.messages} msgs in ${fmt(b.totalMs / 1000, 2)} s = ${fmt(b.perSecond, 0)} msg/s (${cpuText(m.cpu)})`,
  );
  e.bursts.push(m);
  await settled(e);
}

async function rateSegment(redis: Redis, e: Entrant, segment: number, seconds: number) {
  const r = await e.rateMeter.run(redis, () =>
    fixedRate(e.contender.fake, e.rateCustomers, RATE, seconds, TEXT, 30_000, ARRIVALS),
  );
  checkRun(e.who, `fixed rate, part ${segment}`, r.check);
  log(
    `  part ${segment}, ${e.who}: p50 ${fmt(r.latency.p50, 1)} ms, p95 ${fmt(r.latency.p95, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms, max ${fmt(r.latency.max, 1)} ms`,
  );
  e.rateParts.push(r);
  await settled(e);
}

/** Free text at the fixed rate (half the fixed-rate run's length), after a short warm-up. */
async function freeTextRun(e: Entrant): Promise<RateResult> {
  const seconds = Math.max(2, RATE_SECONDS / 2);
  const warm = await fixedRate(e.contender.fake, e.textCustomers, RATE, 1, FREE_TEXT, 30_000);
  checkRun(e.who, "free text warm-up", warm.check);
  await settled(e);
  const r = await fixedRate(
    e.contender.fake,
    e.textCustomers,
    RATE,
    seconds,
    FREE_TEXT,
    30_000,
    ARRIVALS,
  );
  checkRun(e.who, "free text", r.check);
  log(
    `  ${e.who}: p50 ${fmt(r.latency.p50, 1)} ms, p95 ${fmt(r.latency.p95, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms`,
  );
  await settled(e);
  return r;
}

/** One customer's burst of BURST_ONE at once, repeated with a new customer each time: ms from
 * the pushes to the last answer (Frontline answers them in order; the bare bot in any order). */
async function burstOneRun(e: Entrant): Promise<number[]> {
  const lastAnswer: number[] = [];
  for (const c of e.burstOneCustomers) {
    const b = await burst(e.contender.fake, [c], BURST_ONE, TEXT, 30_000);
    checkRun(e.who, "one customer's burst", b.check);
    lastAnswer.push(b.totalMs);
    await settled(e);
  }
  lastAnswer.sort((x, y) => x - y);
  return lastAnswer;
}

function rateTotal(e: Entrant): Measured<RateResult> {
  return { result: mergeRates(e.rateParts), cpu: e.rateMeter.cpu, loop: e.rateMeter.loopDelay };
}

async function runPaced(
  redis: Redis,
  flows: Parameters<typeof startFrontline>[0]["flows"],
  router: IntentRouter,
): Promise<PacedResult> {
  const fl = await startFrontline({ redis, flows, router });
  cleanups.push(fl.stop);
  const customers = makeCustomers(fl.fake, 300_000, PACED_CUSTOMERS);
  const [chatty] = makeCustomers(fl.fake, 400_000, 1) as [Customer];
  const expectedMs =
    ((PACED_CUSTOMERS * PACED_MESSAGES + CHATTY_MESSAGES - TG_GLOBAL.burst) / TG_GLOBAL.perSecond) *
    1000;
  const result = await paced(
    fl.fake,
    customers,
    PACED_MESSAGES,
    chatty,
    CHATTY_MESSAGES,
    TEXT,
    TG_GLOBAL.burst,
    Math.max(30_000, expectedMs * 3),
  );
  checkRun("Frontline", "paced", result.check);
  await fl.stop();
  return result;
}

// ---- output -----------------------------------------------------------------------------------

interface Row {
  metric: string;
  frontline: string;
  bare: string;
  ratio: string;
  target: string;
  result: string;
}

function row(
  metric: string,
  fl: number,
  bare: number,
  digits: number,
  target = "",
  pass?: boolean,
): Row {
  return {
    metric,
    frontline: fmt(fl, digits),
    bare: fmt(bare, digits),
    ratio: Number.isFinite(fl / bare) && bare !== 0 ? `${fmt(fl / bare, 2)}×` : "n/a",
    target,
    result: pass === undefined ? "" : pass ? "PASS" : "FAIL",
  };
}

function renderTable(rows: Row[], markdown: boolean): string[] {
  const head: Row = {
    metric: "metric",
    frontline: "Frontline",
    bare: "bare grammY",
    ratio: "ratio (FL/bare)",
    target: "target (DESIGN.md)",
    result: "",
  };
  const cols: (keyof Row)[] = ["metric", "frontline", "bare", "ratio", "target", "result"];
  const all = [head, ...rows];
  if (markdown) {
    const line = (r: Row) => `| ${cols.map((c) => r[c]).join(" | ")} |`;
    const align = `| --- | ${cols
      .slice(1)
      .map(() => "---:")
      .join(" | ")} |`;
    return [line(head), align, ...rows.map(line)];
  }
  const width = cols.map((c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: Row) =>
    cols
      .map((c, i) =>
        i === 0 ? r[c].padEnd(width[i] as number) : r[c].padStart(width[i] as number),
      )
      .join("  ")
      .trimEnd();
  return [line(head), width.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("the shipped flows do not load; run `npm run test` first");
  const flows = loaded.flowSet;
  const router = new IntentRouter(flows);
  const helpText = flows.bot.messages.help[flows.bot.defaultLocale] ?? "help";

  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  // As in production (src/runtime/redis.ts): one connection, BullMQ's maxRetriesPerRequest.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  let redisError: Error | undefined;
  let connected = false;
  redis.on("error", (err: Error) => {
    redisError = err;
    if (connected) process.stderr.write(`Redis error: ${err.message}\n`);
  });
  try {
    await redis.connect();
  } catch (err) {
    process.stderr.write(
      `bench:telegram needs Redis at ${redisUrl} (set REDIS_URL): ${(redisError ?? (err as Error)).message}\n`,
    );
    redis.disconnect();
    return 1;
  }
  connected = true;
  cleanups.push(async () => {
    await redis.quit();
  });
  const info = await redis.info("server");
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? "?";
  const cpus = os.cpus();

  log("bench:telegram — scripted answers through the fake Telegram Bot API");
  log(
    `Node ${process.version}, ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? "?"}), Redis ${redisVersion} at ${redisUrl}`,
  );
  log(
    `throughput: ${CUSTOMERS} customers × ${MESSAGES} "${TEXT}" pushed at once, ${ROUNDS} rounds (median shown, bots take turns); fixed rate: ${RATE} msg/s (${ARRIVALS} arrivals) for ${RATE_SECONDS} s over ${CUSTOMERS} customers`,
  );
  log(
    COALESCE
      ? "Frontline's Redis writes: coalesced per event-loop turn (the default)"
      : "Frontline's Redis writes: one per command (BENCH_COALESCE=0)",
  );
  if (PARTITIONS > 1) log(`Frontline with QUEUE_PARTITIONS=${PARTITIONS} (BENCH_PARTITIONS)`);
  log("");

  const rssStartMb = process.memoryUsage().rss / 1024 / 1024;
  const bareBot = await startBareGrammy(helpText);
  cleanups.push(bareBot.stop);
  const flBot = await startFrontline({
    redis,
    flows,
    router,
    channelLimits: UNPACED,
    coalesceRedisWrites: COALESCE,
    partitions: PARTITIONS,
  });
  cleanups.push(flBot.stop);
  const bare = entrant("bare grammY", bareBot);
  const front = entrant("Frontline", flBot);

  log(
    `warm-up (untimed, each bot: one throughput round, then ${RATE_WARMUP_SECONDS} s at the fixed rate)`,
  );
  await warmUp(bare);
  await warmUp(front);

  log(`throughput: ${ROUNDS} rounds, the two bots take turns (order alternates)`);
  for (let r = 1; r <= ROUNDS && !guard.interrupted; r++) {
    for (const e of r % 2 === 1 ? [bare, front] : [front, bare]) {
      await throughputRound(redis, e, r);
    }
  }

  log(
    `fixed rate: ${RATE} msg/s for ${RATE_SECONDS} s each, in two halves (order: bare, Frontline, Frontline, bare)`,
  );
  const half = RATE_SECONDS / 2;
  await rateSegment(redis, bare, 1, half);
  await rateSegment(redis, front, 1, half);
  await rateSegment(redis, front, 2, half);
  await rateSegment(redis, bare, 2, half);
  const bareRate = rateTotal(bare);
  const flRate = rateTotal(front);
  for (const [e, m] of [
    [bare, bareRate],
    [front, flRate],
  ] as const) {
    log(`  ${e.who}, whole run: ${cpuText(m.cpu)}`);
  }
  log(`free text ("${FREE_TEXT}": the intent matcher, then one reply) at ${RATE} msg/s`);
  const bareText = await freeTextRun(bare);
  const flText = await freeTextRun(front);
  log(`one customer sends ${BURST_ONE} "${TEXT}" at once, ${BURST_ONE_REPEATS} times`);
  const bareOne = await burstOneRun(bare);
  const flOne = await burstOneRun(front);
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  await bareBot.stop();
  await flBot.stop();

  log(
    `paced: Frontline with Telegram's real limits (global ${TG_GLOBAL.perSecond}/s, ${TG_PRIVATE.perSecond}/s per private chat, burst ${TG_PRIVATE.burst})`,
  );
  const pacedResult = await runPaced(redis, flows, router);
  log("");

  const results = (e: Entrant, rate: Measured<RateResult>): ContenderResults => ({
    bursts: e.bursts,
    burst: medianBy(e.bursts, (m) => m.result.perSecond),
    rate,
  });
  const fm = results(front, flRate);
  const bm = results(bare, bareRate);
  const f = { burst: fm.burst.result, rate: fm.rate.result };
  const b = { burst: bm.burst.result, rate: bm.rate.result };
  const ratio = f.burst.perSecond / b.burst.perSecond;
  const rows: Row[] = [
    row(
      "throughput, msg/s",
      f.burst.perSecond,
      b.burst.perSecond,
      0,
      `≥ ${TARGET_RATIO * 100}% of bare`,
      ratio >= TARGET_RATIO,
    ),
    row("throughput: time for all msgs, s", f.burst.totalMs / 1000, b.burst.totalMs / 1000, 2),
    row("throughput: latency p50, ms", f.burst.latency.p50, b.burst.latency.p50, 0),
    row("throughput: latency p95, ms", f.burst.latency.p95, b.burst.latency.p95, 0),
    row("throughput: latency p99, ms", f.burst.latency.p99, b.burst.latency.p99, 0),
    row(`${RATE} msg/s: offered rate, msg/s`, f.rate.offeredPerSecond, b.rate.offeredPerSecond, 0),
    row(`${RATE} msg/s: latency p50, ms`, f.rate.latency.p50, b.rate.latency.p50, 1),
    row(
      `${RATE} msg/s: latency p95, ms`,
      f.rate.latency.p95,
      b.rate.latency.p95,
      1,
      `≤ ${TARGET_P95_MS} ms`,
      f.rate.latency.p95 <= TARGET_P95_MS,
    ),
    row(
      `${RATE} msg/s: latency p99, ms`,
      f.rate.latency.p99,
      b.rate.latency.p99,
      1,
      `≤ ${TARGET_P99_MS} ms`,
      f.rate.latency.p99 <= TARGET_P99_MS,
    ),
    row(`${RATE} msg/s: latency max, ms`, f.rate.latency.max, b.rate.latency.max, 1),
    row(`free text at ${RATE} msg/s: latency p50, ms`, flText.latency.p50, bareText.latency.p50, 1),
    row(
      `free text at ${RATE} msg/s: latency p95, ms`,
      flText.latency.p95,
      bareText.latency.p95,
      1,
      `≤ ${TARGET_P95_MS} ms`,
      flText.latency.p95 <= TARGET_P95_MS,
    ),
    row(`free text at ${RATE} msg/s: latency p99, ms`, flText.latency.p99, bareText.latency.p99, 1),
    row(
      `one customer's ${BURST_ONE} at once: last answer, median ms`,
      percentileOf(flOne, 50),
      percentileOf(bareOne, 50),
      1,
    ),
    row(
      `one customer's ${BURST_ONE} at once: last answer, p95 ms`,
      percentileOf(flOne, 95),
      percentileOf(bareOne, 95),
      1,
    ),
    row(`${RATE} msg/s: event-loop delay p99, ms`, fm.rate.loop.p99, bm.rate.loop.p99, 1),
    row(`${RATE} msg/s: event-loop delay max, ms`, fm.rate.loop.max, bm.rate.loop.max, 1),
    row("throughput: CPU of this process, % of a core", fm.burst.cpu.node, bm.burst.cpu.node, 0),
    row("throughput: CPU of Redis, % of a core", fm.burst.cpu.redis, bm.burst.cpu.redis, 0),
    row(`${RATE} msg/s: CPU of this process, % of a core`, fm.rate.cpu.node, bm.rate.cpu.node, 0),
    row(`${RATE} msg/s: CPU of Redis, % of a core`, fm.rate.cpu.redis, bm.rate.cpu.redis, 0),
  ];
  const rounds = (r: ContenderResults) =>
    r.bursts.map((x) => fmt(x.result.perSecond, 0)).join(", ");
  const roundRatios = fm.bursts
    .map((x, i) => x.result.perSecond / (bm.bursts[i]?.result.perSecond ?? Number.NaN))
    .map((x) => fmt(x, 2))
    .join(", ");
  const allPhases = [...fm.bursts, ...bm.bursts, fm.rate, bm.rate];
  const noise = Math.max(...allPhases.map((m) => m.cpu.others));
  const noisy = Number.isFinite(noise) && noise > NOISY_OTHERS_PCT;
  if (noisy) {
    warnings.push(
      `other processes used up to ${fmt(noise, 0)}% of a core during a measured phase; this machine was busy, so expect noisy numbers (run again when idle)`,
    );
  }

  const p = pacedResult;
  const pacedLines = [
    `${p.messages} msgs (${PACED_CUSTOMERS} customers × ${PACED_MESSAGES}, one more × ${CHATTY_MESSAGES}) answered in ${fmt(p.totalMs / 1000, 2)} s`,
    `most sends in any 1 s: ${p.maxGlobalPerWindow} overall (token bucket ${TG_GLOBAL.perSecond}/s, burst ${TG_GLOBAL.burst}, allows ≤ ${TG_GLOBAL.burst + TG_GLOBAL.perSecond}), ${p.maxChatPerWindow} to one chat (allows ≤ ${TG_PRIVATE.burst + TG_PRIVATE.perSecond})`,
    `steady rate after the first ${TG_GLOBAL.burst}: ${fmt(p.steadyGlobalPerSecond, 1)} sends/s (limit ${TG_GLOBAL.perSecond}/s)`,
    `chatty customer: ${p.chattyReplies} replies over ${fmt(p.chattySpanMs / 1000, 2)} s (≈ ${fmt((CHATTY_MESSAGES - TG_PRIVATE.burst) / TG_PRIVATE.perSecond, 0)} s expected at ${TG_PRIVATE.perSecond}/s after a burst of ${TG_PRIVATE.burst})`,
    `sendMessage calls refused by the fake: ${p.failedSends}`,
  ];
  if (p.maxGlobalPerWindow > TG_GLOBAL.perSecond) {
    pacedLines.push(
      `note: the global bucket's burst lets ${p.maxGlobalPerWindow} sends into one second, above Telegram's ~${TG_GLOBAL.perSecond}/s`,
    );
  }
  const pacedOk =
    p.steadyGlobalPerSecond <= TG_GLOBAL.perSecond * 1.1 &&
    p.maxGlobalPerWindow <= TG_GLOBAL.burst + TG_GLOBAL.perSecond &&
    p.maxChatPerWindow <= TG_PRIVATE.burst + TG_PRIVATE.perSecond &&
    p.chattySpanMs >= ((CHATTY_MESSAGES - TG_PRIVATE.burst) / TG_PRIVATE.perSecond) * 1000 * 0.9;

  const env = `Node ${process.version}, ${cpus.length} CPU(s), Redis ${redisVersion}`;
  const rss = `process RSS after the Frontline run: ${fmt(rssMb, 0)} MB (${fmt(rssStartMb, 0)} MB before the bots started, with flows and intent router loaded; the rest is both bots, ${CUSTOMERS * 2} open conversations each, and the two fakes, which keep every message)`;

  log("Results");
  for (const l of renderTable(rows, false)) log(l);
  log("");
  log(
    `throughput rounds, msg/s — Frontline: ${rounds(fm)}; bare: ${rounds(bm)}; ratio per round: ${roundRatios}`,
  );
  log(
    `machine noise: other processes used at most ${fmt(noise, 0)}% of a core in any measured phase`,
  );
  log(rss);
  log(
    `paced (Frontline, real limits): ${pacedOk ? "PASS" : "FAIL"} (within the channel's token buckets)`,
  );
  for (const l of pacedLines) log(`  ${l}`);
  log(`environment: ${env}`);
  if (warnings.length > 0) {
    log("");
    log(`WARNINGS (${warnings.length}):`);
    for (const w of warnings) log(`  ${w}`);
  }

  log("");
  log("---- README block ----");
  log("### Telegram benchmark (`npm run bench:telegram`)");
  log("");
  log(
    `${env}; fake Bot API in-process over HTTP. Throughput: ${CUSTOMERS} customers × ${MESSAGES} \`${TEXT}\` pushed at once (median of ${ROUNDS}); fixed rate: ${RATE} msg/s (${ARRIVALS} arrivals, ${CUSTOMERS} customers) for ${RATE_SECONDS} s, bare and Frontline alternating in halves. Latency = update pushed → the fake receives the reply. Frontline's send pacing is raised for these two; the paced run uses Telegram's limits.`,
  );
  log("");
  for (const l of renderTable(rows, true)) log(l);
  log("");
  log(
    `- Paced (Telegram limits): ${pacedOk ? "PASS" : "FAIL"} (within the channel's token buckets); ${pacedLines.join("; ")}.`,
  );
  log(
    `- Throughput per round, msg/s: Frontline ${rounds(fm)}; bare ${rounds(bm)} (ratios ${roundRatios}).`,
  );
  log(`- ${rss[0]?.toUpperCase()}${rss.slice(1)}.`);
  if (warnings.length > 0) log(`- Warnings: ${warnings.join("; ")}.`);
  log("---- end ----");
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`bench:telegram failed: ${(err as Error)?.stack ?? err}\n`);
  code = 1;
}
await exitAfterCleanup(code);
