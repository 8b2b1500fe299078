// `npm run bench:recovery`: what a kill -9 costs the customers whose conversations the killed
// process held. The real binary (`frontline start`, two replicas: a poller and a worker) on
// real Redis, against the fake Bot API in this process; 50 customers send 6 messages each at
// once. Each scenario runs twice in the same run, once without a kill (the baseline). At the
// moment of the kill (in the baseline: the same point of the burst) every conversation with
// answers still to come waits for its next one; its extra delay is that wait with the kill
// minus the wait without it (its median over the conversations of the baseline, which the
// outbox's pacing per chat sets). The bots may send 1000/s overall (a bot with Telegram's paid
// broadcasts): at the usual 30/s the 300 answers take ten seconds however the kill goes.
// BENCH_SHOW=1 prints every conversation's wait, with and without the kill.
// Scenarios: the poller killed mid-burst beside a worker replica (which takes the poller's
// conversations over while the poller restarts), and the only process killed and restarted at
// once (a supervisor's restart) — each with RECOVERY_MS at the default (2 s) and at the old
// 15 s.
//
// Knobs (env): BENCH_CUSTOMERS (50), BENCH_MESSAGES (6), BENCH_RECOVERY_MS (2000,15000),
// BENCH_SENDS_PER_SECOND (1000), BENCH_SHOW, REDIS_URL.
import { FakeTelegram } from "../test/fakes/telegram/index.ts";
import { type BotProcess, spawnBot } from "../test/support/bot-process.ts";
import { answered, languageBurst, withoutOneRepeat } from "../test/support/language-burst.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../test/support/redis.ts";
import { envInt, fmt, guardBench, log } from "./common.ts";

const CUSTOMERS = envInt("BENCH_CUSTOMERS", 50);
/** The bots' overall send rate (TELEGRAM_SENDS_PER_SECOND); 30 is Telegram's usual limit. */
const SENDS_PER_SECOND = envInt("BENCH_SENDS_PER_SECOND", 1000);
const MESSAGES = envInt("BENCH_MESSAGES", 6);
/** RECOVERY_MS values to compare (BENCH_RECOVERY_MS="2000,15000"). */
const RECOVERY_SETTINGS = (process.env.BENCH_RECOVERY_MS ?? "2000,15000")
  .split(",")
  .map(Number)
  .filter((n) => n >= 500);

type Scenario = "replica" | "restart";

interface RunResult {
  /** Per conversation with answers still to come at the kill point: ms to its next answer. */
  waits: number[];
  duplicates: number;
}

const guard = guardBench("bench:recovery", { watchdogMs: 20 * 60_000 });
const redis = connectTestRedis();
guard.cleanups.push(async () => {
  redis.disconnect();
});

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runOnce(scenario: Scenario, recoveryMs: number, kill: boolean): Promise<RunResult> {
  const fake = await FakeTelegram.start();
  const prefix = testPrefix("bench-recovery");
  const children: BotProcess[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    REDIS_PREFIX: prefix,
    RECOVERY_MS: String(recoveryMs),
    // Telegram's overall 30/s would spread the answers over ten seconds whatever happens, and
    // hide the recovery in that spread; each chat keeps its own limit (1/s after a burst of 3).
    TELEGRAM_SENDS_PER_SECOND: String(SENDS_PER_SECOND),
    ...extra,
  });
  const spawn = (extra?: Record<string, string>) => {
    const child = spawnBot(env(extra));
    children.push(child);
    return child;
  };
  try {
    const poller = spawn();
    if (scenario === "replica") spawn({ TELEGRAM_MODE: "worker" });
    // Both up (the poller has deleted the webhook and polls; a worker needs a moment too).
    await until(() => fake.calls.some((c) => c.method === "getUpdates"), 30_000, "the poller");
    await new Promise((r) => setTimeout(r, 1_500));

    const { users, send } = languageBurst(fake, CUSTOMERS, 70_000);
    const started = Date.now();
    send(0, MESSAGES);
    const answers = (chatId: number) => answered(fake, chatId);
    const sent = () => fake.calls.filter((c) => c.method === "sendMessage" && c.ok).length;
    const total = CUSTOMERS * MESSAGES;
    // Killed once a fifth of the answers went out: every conversation still has work queued.
    await until(() => sent() >= total / 5, 60_000, "the first answers");
    const killedAt = Date.now();
    if (kill) {
      // The poller: it records every update and drains what it records (the worker takes only
      // what it is handed), so it holds the work. A supervisor restarts it at once.
      poller.child.kill("SIGKILL");
      await poller.exited;
      spawn();
    }
    const finished = new Map<number, number>();
    await until(
      () => {
        for (const u of users)
          if (!finished.has(u.id) && withoutOneRepeat(answers(u.id)).seq.length >= MESSAGES)
            finished.set(u.id, Date.now() - started);
        return finished.size === users.length;
      },
      120_000,
      "every answer",
    );
    await new Promise((r) => setTimeout(r, 1_000));
    let duplicates = 0;
    for (const u of users) duplicates += answers(u.id).length - MESSAGES;
    const waits: number[] = [];
    for (const u of users) {
      const times = fake.calls
        .filter(
          (c) => c.method === "sendMessage" && c.ok && String(c.params.chat_id) === String(u.id),
        )
        .map((c) => c.at);
      const before = times.filter((t) => t < killedAt).length;
      const next = times.find((t) => t >= killedAt);
      if (before < MESSAGES && next !== undefined) waits.push(next - killedAt);
    }
    return { waits, duplicates };
  } finally {
    for (const c of children) {
      c.child.kill("SIGKILL");
      await c.exited;
    }
    await fake.close();
    await dropPrefix(redis, prefix);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(scenario: Scenario, recoveryMs: number) {
  const base = await runOnce(scenario, recoveryMs, false);
  if (process.env.BENCH_SHOW)
    log(
      `  ${scenario}: waits without a kill, s: ${[...base.waits]
        .sort((a, b) => a - b)
        .map((w) => (w / 1000).toFixed(1))
        .join(" ")}`,
    );
  const killed = await runOnce(scenario, recoveryMs, true);
  const usual = percentile(
    [...base.waits].sort((a, b) => a - b),
    50,
  );
  const extra = killed.waits.map((w) => Math.max(0, w - usual));
  extra.sort((a, b) => a - b);
  if (process.env.BENCH_SHOW)
    log(
      `  ${scenario}: waits after the kill, s: ${extra.map((w) => (w / 1000).toFixed(1)).join(" ")}`,
    );
  return {
    p50: percentile(extra, 50),
    p99: percentile(extra, 99),
    max: extra.at(-1) ?? Number.NaN,
    duplicates: killed.duplicates,
    affected: killed.waits.length,
    usual,
  };
}

async function main() {
  log(
    `bench:recovery — ${CUSTOMERS} customers × ${MESSAGES} messages, kill -9 once a fifth of the answers went out; the bots send up to ${SENDS_PER_SECOND}/s overall, 1/s per chat after a burst of 3`,
  );
  log(
    "extra delay = a conversation's wait for its next answer after the kill, minus the usual wait at that point without a kill (same scenario, same run)",
  );
  log();
  log(
    "scenario                                       RECOVERY_MS  waiting  usual wait   extra p50   extra p99   extra max  duplicates",
  );
  const scenarios: [Scenario, string][] = [
    ["replica", "kill -9 the poller beside a worker"],
    ["restart", "kill -9 the only process, restarted at once"],
  ];
  for (const [scenario, label] of scenarios)
    for (const recoveryMs of RECOVERY_SETTINGS) {
      const r = await measure(scenario, recoveryMs);
      log(
        `${label.padEnd(46)} ${String(recoveryMs).padStart(11)} ${String(r.affected).padStart(8)} ${`${fmt(r.usual / 1000, 2)} s`.padStart(11)} ${`${fmt(r.p50 / 1000, 2)} s`.padStart(11)} ${`${fmt(r.p99 / 1000, 2)} s`.padStart(11)} ${`${fmt(r.max / 1000, 2)} s`.padStart(11)} ${String(r.duplicates).padStart(11)}`,
      );
    }
  log();
  log("targets: extra delay p99 ≤ 3 s, duplicates ≤ 1 per kill (a send on the wire at the kill)");
}

void (async () => {
  try {
    await main();
    await guard.exitAfterCleanup(0);
  } catch (err) {
    process.stderr.write(`bench:recovery failed: ${(err as Error)?.stack ?? err}\n`);
    await guard.exitAfterCleanup(1);
  }
})();
