// `npm run bench:discord`: simulated customers against the fake Discord (REST and gateway in this
// process, over real HTTP and WebSocket), answered by Frontline (the real service with the
// Discord adapter, real Redis) and by a bare discord.js 14 Client that replies directly, in the
// same run; then the desk: escalation → ticket card and agent reply → customer, with the desk
// on Discord and across the platforms.
//
// Reply scenarios: throughput (every message pushed up front, median of BENCH_ROUNDS rounds,
// the contenders alternating) and message in → reply out latency at a fixed BENCH_RATE msg/s.
// Desk scenarios (Frontline only; targets from DESIGN.md): Discord customers with the desk in
// Discord threads, Telegram customers with the desk in Discord threads, Discord customers with
// the desk in Telegram forum topics.
//
// Knobs (env): BENCH_CUSTOMERS (100), BENCH_MESSAGES (10 per customer), BENCH_ROUNDS (3),
// BENCH_RATE (50), BENCH_RATE_SECONDS (20), BENCH_ESCALATIONS (100), BENCH_ESC_RATE (10/s),
// BENCH_RELAYS (500), BENCH_RELAY_RATE (50/s), BENCH_REST_PER_SECOND (@discordjs/rest's global
// cap, raised by default; 50 is Discord's), REDIS_URL. TEST_LOG_LEVEL=info shows logs.
// Send pacing is raised far above Discord's and Telegram's limits for every contender, so the
// system is measured, not the platforms' limits (those are covered by the tests).

import os from "node:os";
import { Redis } from "ioredis";
import { loadFlows } from "../src/flows/load.ts";
import { testRedisUrl } from "../test/support/redis.ts";
import { envInt, fmt, guardBench, log } from "./common.ts";
import { LoadMeter, type PhaseLoad, type Stats } from "./desk-measure.ts";
import {
  type DiscordContender,
  startBareDiscordJs,
  startFrontlineDiscord,
} from "./discord-bots.ts";
import {
  type DeskResult,
  type DeskScenario,
  runDeskScenario,
  startDeskWorld,
} from "./discord-desk.ts";
import {
  type BurstResult,
  dmBurst,
  dmFixedRate,
  makeDmCustomers,
  type RateResult,
} from "./discord-load.ts";

const CUSTOMERS = envInt("BENCH_CUSTOMERS", 100);
const MESSAGES = envInt("BENCH_MESSAGES", 10);
const ROUNDS = envInt("BENCH_ROUNDS", 3);
const RATE = envInt("BENCH_RATE", 50);
const RATE_SECONDS = envInt("BENCH_RATE_SECONDS", 20);
const RATE_WARMUP_SECONDS = 2;
const DESK = {
  escalations: envInt("BENCH_ESCALATIONS", 100),
  escalationRate: envInt("BENCH_ESC_RATE", 10),
  tickets: 50,
  firstReplyRate: 10,
  replies: envInt("BENCH_RELAYS", 500),
  replyRate: envInt("BENCH_RELAY_RATE", 50),
};
/** One scripted answer (one message) per customer message in the shipped flows. */
const TEXT = "/help";
const WATCHDOG_MS = 420_000;

// DESIGN.md, Targets.
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 100;
const TARGET_CARD_P99_MS = 250;
const TARGET_RELAY_P99_MS = 50;
/** Above this share of a core used by other processes, a phase is flagged as noisy. */
const NOISY_OTHERS_PCT = 25;

const guard = guardBench("bench:discord", { watchdogMs: WATCHDOG_MS });
const { cleanups, exitAfterCleanup } = guard;

interface Measured<T> {
  result: T;
  load: PhaseLoad;
}

async function measured<T>(redis: Redis, run: () => Promise<T>): Promise<Measured<T>> {
  const meter = new LoadMeter(redis);
  await meter.start();
  const result = await run();
  return { result, load: await meter.stop() };
}

function median<T>(items: T[], by: (t: T) => number): T {
  const sorted = [...items].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor(sorted.length / 2)] as T;
}

/** A contender with its customers, warmed up: every customer has had one answer. */
async function ready(c: DiscordContender) {
  cleanups.push(c.stop);
  const customers = makeDmCustomers(c.fake, c.guildId, CUSTOMERS);
  const warm = await dmBurst(c.fake, customers, 1, TEXT, 30_000);
  if (warm.answered < customers.length)
    throw new Error(`${c.who} answered ${warm.answered} of ${customers.length} warm-up messages`);
  await c.quiesce();
  return customers;
}

/** Frontline's own answer to TEXT, read off the fake, so the bare bot sends the same bytes. */
function answerOf(c: DiscordContender): string {
  const call = c.fake.calls.find((x) => x.method === "POST" && /\/messages$/.test(x.path));
  const content = (call?.body as { content?: string } | undefined)?.content;
  if (!content) throw new Error("Frontline's warm-up answer was not seen");
  return content;
}

function noisy(load: PhaseLoad): string {
  return load.cpuOthers > NOISY_OTHERS_PCT ? ` (noisy: others ${fmt(load.cpuOthers, 0)}%)` : "";
}

function lat(s: Stats): string {
  return `p50 ${fmt(s.p50)} · p95 ${fmt(s.p95)} · p99 ${fmt(s.p99)} · max ${fmt(s.max)} ms (n=${s.n})`;
}

function verdict(ok: boolean): string {
  return ok ? "met" : "NOT met";
}

async function replyScenarios(redis: Redis) {
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("the shipped flows do not load");
  const frontline = await startFrontlineDiscord(redis, loaded.flowSet);
  const fCustomers = await ready(frontline);
  const bare = await startBareDiscordJs(answerOf(frontline));
  const bCustomers = await ready(bare);

  const bursts: { f: Measured<BurstResult>; b: Measured<BurstResult> }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const f = await measured(redis, () => dmBurst(frontline.fake, fCustomers, MESSAGES, TEXT));
    await frontline.quiesce();
    const b = await measured(redis, () => dmBurst(bare.fake, bCustomers, MESSAGES, TEXT));
    bursts.push({ f, b });
    log(
      `  round ${r + 1}: Frontline ${fmt(f.result.perSecond, 0)} msg/s${noisy(f.load)}, bare ${fmt(b.result.perSecond, 0)} msg/s${noisy(b.load)}, ratio ${fmt(f.result.perSecond / b.result.perSecond, 2)}`,
    );
  }
  const rate = {
    perSecond: RATE,
    seconds: RATE_SECONDS,
    warmupSeconds: RATE_WARMUP_SECONDS,
    text: TEXT,
  };
  const fRate = await measured(redis, () => dmFixedRate(frontline.fake, fCustomers, rate));
  await frontline.quiesce();
  const bRate = await measured(redis, () => dmFixedRate(bare.fake, bCustomers, rate));
  await frontline.stop();
  await bare.stop();
  return { bursts, fRate, bRate };
}

function reportReplies(r: Awaited<ReturnType<typeof replyScenarios>>) {
  const f = median(
    r.bursts.map((x) => x.f),
    (m) => m.result.perSecond,
  );
  const b = median(
    r.bursts.map((x) => x.b),
    (m) => m.result.perSecond,
  );
  const ratio = f.result.perSecond / b.result.perSecond;
  const extra = r.bursts.reduce((n, x) => n + x.f.result.extra + x.b.result.extra, 0);
  const rows: [string, string, string, string][] = [
    [
      `throughput, ${CUSTOMERS} customers × ${MESSAGES} DMs at once (median of ${ROUNDS})`,
      `≥ ${TARGET_RATIO}× bare`,
      `${fmt(f.result.perSecond, 0)} msg/s (${fmt(ratio, 2)}×, ${verdict(ratio >= TARGET_RATIO)})`,
      `${fmt(b.result.perSecond, 0)} msg/s`,
    ],
    rateRow(`in → reply at ${RATE} msg/s, p50`, "", r.fRate.result, r.bRate.result, (s) => s.p50),
    rateRow("same, p95", "", r.fRate.result, r.bRate.result, (s) => s.p95),
    rateRow(
      "same, p99",
      `≤ ${TARGET_P99_MS} ms (${verdict(r.fRate.result.latency.p99 <= TARGET_P99_MS)})`,
      r.fRate.result,
      r.bRate.result,
      (s) => s.p99,
    ),
  ];
  log("\n| metric | target | Frontline | bare discord.js |\n| --- | --- | --- | --- |");
  for (const row of rows) log(`| ${row.join(" | ")} |`);
  const rate = r.fRate.result;
  log(
    `\nAt ${RATE} msg/s: Frontline answered ${rate.answered}/${rate.sent} (offered ${fmt(rate.offeredPerSecond)} msg/s, ${rate.lateOver5ms} pushes >5 ms late), bare ${r.bRate.result.answered}/${r.bRate.result.sent}; second answers in all reply runs: ${extra + rate.extra + r.bRate.result.extra}; failed sends: ${rate.failures + r.bRate.result.failures}.`,
  );
  log(
    `CPU at ${RATE} msg/s (% of a core): this process ${fmt(r.fRate.load.cpuNode, 0)} vs ${fmt(r.bRate.load.cpuNode, 0)}, redis-server ${fmt(r.fRate.load.cpuRedis, 0)} vs ${fmt(r.bRate.load.cpuRedis, 0)}, others ${fmt(r.fRate.load.cpuOthers, 0)} vs ${fmt(r.bRate.load.cpuOthers, 0)}; event-loop p99 ${fmt(r.fRate.load.loopP99Ms)} vs ${fmt(r.bRate.load.loopP99Ms)} ms.`,
  );
  return { ratio, p99: rate.latency.p99 };
}

function rateRow(
  label: string,
  target: string,
  f: RateResult,
  b: RateResult,
  pick: (s: Stats) => number,
): [string, string, string, string] {
  return [label, target, `${fmt(pick(f.latency))} ms`, `${fmt(pick(b.latency))} ms`];
}

const SCENARIOS: DeskScenario[] = [
  {
    name: "Discord customers, desk in Discord threads",
    workspace: "discord",
    customers: "discord",
  },
  {
    name: "Telegram customers, desk in Discord threads",
    workspace: "discord",
    customers: "telegram",
  },
  {
    name: "Discord customers, desk in Telegram topics",
    workspace: "telegram",
    customers: "discord",
  },
];

async function deskScenarios(redis: Redis): Promise<DeskResult[]> {
  const results: DeskResult[] = [];
  for (const workspace of ["discord", "telegram"] as const) {
    const world = await startDeskWorld(redis, workspace);
    cleanups.push(world.stop);
    for (const s of SCENARIOS.filter((x) => x.workspace === workspace)) {
      log(`  ${s.name}…`);
      results.push(await runDeskScenario(redis, world, s, DESK));
    }
    await world.stop();
  }
  return results;
}

function reportDesk(results: DeskResult[]) {
  log(
    `\nDesk: ${DESK.escalations} escalations ("/human") at ${DESK.escalationRate}/s → the ticket card; the agent's first reply on ${DESK.tickets} tickets at ${DESK.firstReplyRate}/s (it also claims) and ${DESK.replies} further replies at ${DESK.replyRate}/s → the customer's copy.\n`,
  );
  log(
    `| scenario | escalation → card p50 / p99 (≤ ${TARGET_CARD_P99_MS} ms) | first reply → customer p50 / p99 | agent reply → customer p50 / p99 (≤ ${TARGET_RELAY_P99_MS} ms) |\n| --- | --- | --- | --- |`,
  );
  let met = true;
  for (const r of results) {
    const card = r.escalations.latency;
    const reply = r.replies.latency;
    met &&= card.p99 <= TARGET_CARD_P99_MS && reply.p99 <= TARGET_RELAY_P99_MS;
    met &&= r.escalations.cards === r.escalations.n && r.replies.delivered === r.replies.n;
    log(
      `| ${r.scenario.name} | ${fmt(card.p50)} / **${fmt(card.p99)}** ms${noisy(r.escalations.load)} | ${fmt(r.firstReplies.latency.p50)} / ${fmt(r.firstReplies.latency.p99)} ms${noisy(r.firstReplies.load)} | ${fmt(reply.p50)} / **${fmt(reply.p99)}** ms${noisy(r.replies.load)} |`,
    );
  }
  for (const r of results) {
    const lost = [
      r.escalations.n - r.escalations.cards,
      r.firstReplies.n - r.firstReplies.delivered,
      r.replies.n - r.replies.delivered,
    ];
    log(
      `${r.scenario.name}: cards ${r.escalations.cards}/${r.escalations.n}, first replies ${r.firstReplies.delivered}/${r.firstReplies.n}, replies ${r.replies.delivered}/${r.replies.n}${lost.some((n) => n > 0) ? " (MISSING)" : ""}; card ${lat(r.escalations.latency)}; reply ${lat(r.replies.latency)}${r.failures.length ? `; failed calls: ${r.failures.join(", ")}` : ""}`,
    );
  }
  return met;
}

async function main() {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  cleanups.push(async () => void redis.disconnect());
  log(
    `bench:discord — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, ${new Date().toISOString()}`,
  );
  log(`Replies: ${CUSTOMERS} DM customers, "${TEXT}" (one scripted answer each).`);
  const replies = await replyScenarios(redis);
  const r = reportReplies(replies);
  log("\nDesk scenarios:");
  const desk = await deskScenarios(redis);
  const deskMet = reportDesk(desk);
  log(
    `\nTargets: throughput ratio ${verdict(r.ratio >= TARGET_RATIO)}, reply p99 ${verdict(r.p99 <= TARGET_P99_MS)}, desk ${verdict(deskMet)}.`,
  );
  await exitAfterCleanup(0);
}

main().catch(async (err) => {
  process.stderr.write(`bench:discord failed: ${(err as Error)?.stack ?? err}\n`);
  await exitAfterCleanup(1);
});
