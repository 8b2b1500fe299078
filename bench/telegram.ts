// `npm run bench:telegram`: simulated customers against the fake Telegram Bot API (in this
// process, over real HTTP), answered by Frontline (Service + grammY adapter, real Redis) and by
// a bare grammY bot on @grammyjs/runner that replies directly, in the same run.
//
// Scenarios: throughput (every message pushed up front), a fixed 200 msg/s, and Frontline with
// Telegram's real send limits (to show they are honoured). Knobs (env): BENCH_CUSTOMERS (200),
// BENCH_MESSAGES (10 per customer), BENCH_ROUNDS (3), BENCH_RATE (200), BENCH_RATE_SECONDS (10),
// REDIS_URL. TEST_LOG_LEVEL=info shows Frontline's logs.

import os from "node:os";
import { Redis } from "ioredis";
import { IntentRouter } from "../src/engine/router.ts";
import { loadFlows } from "../src/flows/load.ts";
import { type Contender, startBareGrammy, startFrontline, UNPACED } from "./telegram-bots.ts";
import {
  type BurstResult,
  burst,
  type Customer,
  fixedRate,
  makeCustomers,
  type PacedResult,
  paced,
  type RateResult,
  type RunCheck,
} from "./telegram-load.ts";

const CUSTOMERS = envInt("BENCH_CUSTOMERS", 200);
const MESSAGES = envInt("BENCH_MESSAGES", 10);
const ROUNDS = envInt("BENCH_ROUNDS", 3);
const RATE = envInt("BENCH_RATE", 200);
const RATE_SECONDS = envInt("BENCH_RATE_SECONDS", 10);
const WARMUP_MESSAGES = 3;
const TEXT = "/help"; // one scripted answer per message in the shipped flows
/** Whatever happens, the process exits by then (the whole run takes well under a minute). */
const WATCHDOG_MS = 240_000;

// Telegram's real limits as the channel applies them (adapters/telegram/channel.ts).
const PACED_CUSTOMERS = 50;
const PACED_MESSAGES = 3;
const CHATTY_MESSAGES = 8;
const TG_GLOBAL = { burst: 30, perSecond: 30 };
const TG_PRIVATE = { burst: 3, perSecond: 1 };

// DESIGN.md, Targets.
const TARGET_P95_MS = 30;
const TARGET_P99_MS = 100;
const TARGET_RATIO = 0.5;

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

function log(line = ""): void {
  process.stdout.write(`${line}\n`);
}

const cleanups: (() => Promise<void>)[] = [];
async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0) {
    const c = cleanups.pop() as () => Promise<void>;
    try {
      await c();
    } catch (err) {
      process.stderr.write(`cleanup failed: ${(err as Error)?.message ?? err}\n`);
    }
  }
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\n${signal}: cleaning up…\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}
setTimeout(() => {
  process.stderr.write(`bench:telegram: watchdog fired after ${WATCHDOG_MS} ms; exiting\n`);
  void cleanupAll().finally(() => process.exit(2));
}, WATCHDOG_MS).unref();

interface ContenderResults {
  bursts: BurstResult[];
  /** The median round by throughput. */
  burst: BurstResult;
  rate: RateResult;
}

const warnings: string[] = [];

function checkRun(who: string, what: string, check: RunCheck): void {
  if (check.missing === 0 && check.extra === 0 && check.badChats === 0) return;
  const w = `${who}, ${what}: ${check.missing} message(s) unanswered, ${check.extra} extra repl(ies), ${check.badChats} chat(s) with a wrong reply count`;
  warnings.push(w);
  process.stderr.write(`WARNING: ${w}\n`);
}

function medianBy<T>(items: T[], key: (t: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

/** Warm-up, throughput rounds, then the fixed rate; on one running bot. */
async function measure(who: string, contender: Contender): Promise<ContenderResults> {
  const { fake } = contender;
  const customers = makeCustomers(fake, 100_000, CUSTOMERS);
  const warm = await burst(fake, customers, WARMUP_MESSAGES, TEXT, 60_000);
  checkRun(who, "warm-up", warm.check);
  const bursts: BurstResult[] = [];
  for (let r = 0; r < ROUNDS && !interrupted; r++) {
    const b = await burst(fake, customers, MESSAGES, TEXT, 60_000);
    checkRun(who, `throughput round ${r + 1}`, b.check);
    log(
      `  ${who}: throughput round ${r + 1}: ${b.messages} msgs in ${fmt(b.totalMs / 1000, 2)} s = ${fmt(b.perSecond, 0)} msg/s`,
    );
    bursts.push(b);
  }
  const rateCustomers: Customer[] = makeCustomers(fake, 200_000, CUSTOMERS);
  const rate = await fixedRate(fake, rateCustomers, RATE, RATE_SECONDS, TEXT, 30_000);
  checkRun(who, "fixed rate", rate.check);
  log(
    `  ${who}: fixed ${RATE} msg/s for ${RATE_SECONDS} s: p50 ${fmt(rate.latency.p50, 1)} ms, p95 ${fmt(rate.latency.p95, 1)} ms, p99 ${fmt(rate.latency.p99, 1)} ms`,
  );
  return { bursts, burst: medianBy(bursts, (b) => b.perSecond), rate };
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

function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return "n/a";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

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
      .map((c, i) => (i === 0 ? r[c].padEnd(width[i] as number) : r[c].padStart(width[i] as number)))
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
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  try {
    await redis.connect();
  } catch (err) {
    process.stderr.write(
      `bench:telegram needs Redis at ${redisUrl} (set REDIS_URL): ${(err as Error).message}\n`,
    );
    redis.disconnect();
    return 1;
  }
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
    `throughput: ${CUSTOMERS} customers × ${MESSAGES} "${TEXT}" pushed at once, ${ROUNDS} rounds (median shown); fixed rate: ${RATE} msg/s for ${RATE_SECONDS} s over ${CUSTOMERS} customers`,
  );
  log("");

  log("bare grammY (@grammyjs/runner, ctx.reply, no durability):");
  const bare = await startBareGrammy(helpText);
  cleanups.push(bare.stop);
  const bareResults = await measure("bare", bare);
  await bare.stop();

  log("Frontline (Service + Telegram adapter, polling, Redis; send pacing raised):");
  const fl = await startFrontline({ redis, flows, router, channelLimits: UNPACED });
  cleanups.push(fl.stop);
  const flResults = await measure("Frontline", fl);
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  await fl.stop();

  log(
    `Frontline with Telegram's real limits (global ${TG_GLOBAL.perSecond}/s, ${TG_PRIVATE.perSecond}/s per private chat, burst ${TG_PRIVATE.burst}):`,
  );
  const pacedResult = await runPaced(redis, flows, router);
  log("");

  const f = flResults;
  const b = bareResults;
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
    row(`${RATE} msg/s: generator lag p99, ms`, f.rate.pushLagP99, b.rate.pushLagP99, 1),
  ];
  const rounds = (r: ContenderResults) => r.bursts.map((x) => fmt(x.perSecond, 0)).join(", ");

  const p = pacedResult;
  const pacedLines = [
    `${p.messages} msgs (${PACED_CUSTOMERS} customers × ${PACED_MESSAGES}, one more × ${CHATTY_MESSAGES}) answered in ${fmt(p.totalMs / 1000, 2)} s`,
    `most sends in any 1 s: ${p.maxGlobalPerWindow} overall (token bucket ${TG_GLOBAL.burst}/s, burst ${TG_GLOBAL.burst}, allows ≤ ${TG_GLOBAL.burst + TG_GLOBAL.perSecond}), ${p.maxChatPerWindow} to one chat (allows ≤ ${TG_PRIVATE.burst + TG_PRIVATE.perSecond})`,
    `steady rate after the first ${TG_GLOBAL.burst}: ${fmt(p.steadyGlobalPerSecond, 1)} sends/s (limit ${TG_GLOBAL.perSecond}/s)`,
    `chatty customer: ${p.chattyReplies} replies over ${fmt(p.chattySpanMs / 1000, 2)} s (≥ ${fmt((CHATTY_MESSAGES - TG_PRIVATE.burst) / TG_PRIVATE.perSecond, 0)} s expected at ${TG_PRIVATE.perSecond}/s after a burst of ${TG_PRIVATE.burst})`,
    `sendMessage calls refused by the fake: ${p.failedSends}`,
  ];
  const pacedOk =
    p.steadyGlobalPerSecond <= TG_GLOBAL.perSecond * 1.1 &&
    p.maxGlobalPerWindow <= TG_GLOBAL.burst + TG_GLOBAL.perSecond &&
    p.maxChatPerWindow <= TG_PRIVATE.burst + TG_PRIVATE.perSecond &&
    p.chattySpanMs >= ((CHATTY_MESSAGES - TG_PRIVATE.burst) / TG_PRIVATE.perSecond) * 1000 * 0.9;

  const env = `Node ${process.version}, ${cpus.length} CPU(s), Redis ${redisVersion}`;
  const rss = `process RSS after the Frontline run: ${fmt(rssMb, 0)} MB (fake Bot API, both bots and ${CUSTOMERS * 2} open conversations in one process)`;

  log("Results");
  for (const l of renderTable(rows, false)) log(l);
  log("");
  log(`throughput rounds, msg/s — Frontline: ${rounds(f)}; bare: ${rounds(b)}`);
  log(rss);
  log(`paced (Frontline, real limits): ${pacedOk ? "PASS" : "FAIL"}`);
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
    `${env}; fake Bot API in-process over HTTP. Throughput: ${CUSTOMERS} customers × ${MESSAGES} \`${TEXT}\` pushed at once (median of ${ROUNDS}); fixed rate: ${RATE} msg/s for ${RATE_SECONDS} s. Latency = update pushed → the fake receives the reply. Frontline's send pacing is raised for these two; the paced run uses Telegram's limits.`,
  );
  log("");
  for (const l of renderTable(rows, true)) log(l);
  log("");
  log(`- Paced (Telegram limits): ${pacedOk ? "PASS" : "FAIL"}; ${pacedLines.join("; ")}.`);
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
} finally {
  await cleanupAll();
}
process.exit(code);
