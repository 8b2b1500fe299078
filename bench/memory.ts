// `npm run bench:memory`: resident memory of the real product (`frontline start`, a child
// process measured alone) while it holds 10,000 open conversations, beside a bare grammY bot
// (bench/memory-bare.ts, also a child) that keeps the same state in an in-process Map.
//
// The fake Telegram Bot API runs in this process. Every customer writes "I forgot my password",
// which leaves them at the login flow's button question: the conversation stays open. Updates
// go in batches; a batch counts once the product has processed it (its conversation states are
// in Redis), not once the replies are sent: Frontline paces sends to Telegram's limits (30/s),
// so its replies wait in the Redis outbox meanwhile. RSS (VmRSS) and its peak (VmHWM) come from
// /proc/<pid>/status of each child: idle after start, and at 1,000 / 5,000 / 10,000. Last, a
// full GC is forced over the inspector (bench/memory-inspect.ts) to tell memory still held
// from garbage not yet collected.
//
// Knobs (env): BENCH_CONVERSATIONS (10000), BENCH_BATCH (500), BENCH_BUDGET_SECONDS (80: time
// allowed for pushing conversations to each bot; whatever is reached is reported), REDIS_URL.
// A whole run takes about a minute on 2 cores.

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { deleteKeysWithPrefix } from "../src/runtime/redis.ts";
import { FakeTelegram, type TestUser } from "../test/fakes/telegram/index.ts";
import { envInt, fmt, guardBench, log } from "./common.ts";
import { type LiveHeap, liveHeap } from "./memory-inspect.ts";

const CONVERSATIONS = envInt("BENCH_CONVERSATIONS", 10_000);
const BATCH = envInt("BENCH_BATCH", 500);
const BUDGET_MS = envInt("BENCH_BUDGET_SECONDS", 80) * 1000;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TEXT = "I forgot my password";
const FIRST_ID = 500_000;
const CHECKPOINTS = [...new Set([1_000, 5_000, 10_000, CONVERSATIONS])]
  .filter((c) => c <= CONVERSATIONS)
  .sort((a, b) => a - b);
/** DESIGN.md, Targets: memory with 10,000 open conversations. */
const TARGET_MB = 200;
/** Whatever happens, the process exits by then. */
const WATCHDOG_MS = 285_000;
const CLEANUP_MS = 20_000;
const READY_MS = 60_000;
/** After the budget, the last pushed batch may take this long to be processed. */
const DRAIN_MS = 20_000;

const T0 = performance.now();
/** A progress line, with the seconds since the benchmark started. */
function progress(line: string): void {
  log(`  [${((performance.now() - T0) / 1000).toFixed(0).padStart(3)} s] ${line}`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const guard = guardBench("bench:memory", { watchdogMs: WATCHDOG_MS, cleanupMs: CLEANUP_MS });
const { cleanups, exitAfterCleanup } = guard;

// ---- child processes and their memory ---------------------------------------------------------

interface Child {
  pid: number;
  output: () => string;
  exitCode: () => number | null | undefined;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the child is gone. */
  stop: () => Promise<void>;
}

function spawnChild(who: string, args: string[], env: Record<string, string>): Child {
  let output = "";
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (c, signal) => {
      code = c ?? (signal ? -1 : null);
      resolve();
    }),
  );
  if (child.pid === undefined) throw new Error(`${who}: could not start ${args.join(" ")}`);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (code !== undefined) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    })();
    return stopping;
  };
  return { pid: child.pid, output: () => output, exitCode: () => code, stop };
}

interface Mem {
  rss: number;
  hwm: number;
}

/** VmRSS and VmHWM of a process, MB (MiB). */
function memOf(pid: number): Mem {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
}

interface RssSample {
  /** Median of the samples, MB. */
  median: number;
  min: number;
  max: number;
  count: number;
}

async function sampleRss(pid: number, count: number, everyMs: number): Promise<RssSample> {
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(everyMs);
    values.push(memOf(pid).rss);
  }
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)] as number,
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    count,
  };
}

// ---- one contender ----------------------------------------------------------------------------

interface Contender {
  who: string;
  fake: FakeTelegram;
  child: Child;
  /** Conversations processed so far, or -1 when work is visibly still in flight. */
  processed: () => Promise<number>;
}

interface Run {
  idle: RssSample;
  at: Map<number, RssSample>;
  /** Conversations processed when the final sample was taken. */
  reached: number;
  /** Seconds from the first push until `reached` were processed. */
  seconds: number;
  /** VmHWM at the end, MB. */
  peak: number;
  /** JS heap after a full GC, at the end (after the RSS samples), if the inspector answered. */
  live: LiveHeap | undefined;
  budgetHit: boolean;
}

function makeCustomers(fake: FakeTelegram): TestUser[] {
  const out: TestUser[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const user: TestUser = { id: FIRST_ID + i, first_name: `Customer${i}`, language_code: "en" };
    fake.addUser(user);
    out.push(user);
  }
  return out;
}

/**
 * Resolves once the child has made its first Bot API call (getMe: it is up; its getUpdates is a
 * long poll that the fake reports only when it returns, so it cannot signal readiness).
 */
function firstCall(fake: FakeTelegram, child: Child, who: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const off = fake.onCall(() => {
      off();
      clearInterval(check);
      resolve();
    });
    const check = setInterval(() => {
      const code = child.exitCode();
      const late = performance.now() - started > READY_MS;
      if (code === undefined && !late) return;
      off();
      clearInterval(check);
      reject(
        new Error(
          `${who} ${code !== undefined ? `exited (${code})` : `made no Bot API call within ${READY_MS} ms`}:\n${child.output()}`,
        ),
      );
    }, 200);
  });
}

async function waitProcessed(c: Contender, target: number, until: number): Promise<number> {
  let n = -1;
  while (performance.now() < until) {
    const code = c.child.exitCode();
    if (code !== undefined) throw new Error(`${c.who} exited (${code}):\n${c.child.output()}`);
    n = await c.processed();
    if (n >= target) return n;
    await sleep(n < 0 ? 100 : 200);
  }
  return n;
}

async function drive(c: Contender, customers: TestUser[]): Promise<Run> {
  await firstCall(c.fake, c.child, c.who);
  await sleep(3_000); // let start-up work (commands, webhook removal, first poll) settle
  const idle = await sampleRss(c.child.pid, 3, 500);
  progress(`${c.who}: idle RSS ${fmt(idle.median)} MB`);
  const at = new Map<number, RssSample>();
  const started = performance.now();
  const deadline = started + BUDGET_MS;
  let pushed = 0;
  let reached = 0;
  let budgetHit = false;
  while (pushed < customers.length) {
    if (performance.now() > deadline) {
      budgetHit = true;
      break;
    }
    // Batches stop at every checkpoint, so each is sampled at exactly its count.
    const checkpoint = CHECKPOINTS.find((cp) => cp > pushed) ?? customers.length;
    const next = Math.min(customers.length, pushed + BATCH, checkpoint);
    for (let i = pushed; i < next; i++) c.fake.sendUserMessage(customers[i] as TestUser, TEXT);
    pushed = next;
    const n = await waitProcessed(c, pushed, Math.max(deadline, performance.now()) + DRAIN_MS);
    if (n < pushed) {
      budgetHit = true;
      reached = Math.max(0, n);
      break;
    }
    reached = n;
    if (CHECKPOINTS.includes(pushed) && pushed < customers.length) {
      const s = await sampleRss(c.child.pid, 3, 300);
      at.set(pushed, s);
      progress(
        `${c.who}: ${pushed.toLocaleString("en-US")} open conversations after ${fmt((performance.now() - started) / 1000)} s: RSS ${fmt(s.median)} MB`,
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  // The final sample, at whatever was reached: a few seconds of samples, then the peak.
  const final = await sampleRss(c.child.pid, 5, 1_000);
  at.set(reached, final);
  const peak = memOf(c.child.pid).hwm;
  progress(
    `${c.who}: ${reached.toLocaleString("en-US")} open conversations after ${fmt(seconds)} s: RSS ${fmt(final.median)} MB (${fmt(final.min)}–${fmt(final.max)} in ${final.count} samples over ${final.count - 1} s), peak ${fmt(peak)} MB`,
  );
  const live = await liveHeap(c.child.pid, c.child.output);
  if (live) {
    const { before: b, after: a } = live;
    progress(
      `${c.who}: JS heap ${fmt(b.heapUsed)} MB used of ${fmt(b.heapTotal)} MB; after a full GC (forced over the inspector) ${fmt(a.heapUsed)} of ${fmt(a.heapTotal)} MB, RSS ${fmt(a.rss)} MB`,
    );
  } else {
    progress(`${c.who}: the inspector did not answer; no live-heap figure`);
  }
  return { idle, at, reached, seconds, peak, live, budgetHit };
}

// ---- Redis helpers ----------------------------------------------------------------------------

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 5_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  return keys;
}

async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let n = 0;
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 5_000);
    cursor = next;
    n += batch.length;
  } while (cursor !== "0");
  return n;
}

async function busyJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function usedMemoryMb(redis: Redis): Promise<number> {
  const info = await redis.info("memory");
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN) / 1024 / 1024;
}

interface StateCheck {
  states: number;
  open: number;
  bytesPerState: number;
}

/** Reads every conversation state: how many wait at a question of the login flow. */
async function checkStates(redis: Redis, prefix: string): Promise<StateCheck> {
  const keys = await scanKeys(redis, `${prefix}{conv:*}:state`);
  let open = 0;
  for (let i = 0; i < keys.length; i += 1_000) {
    const pipe = redis.pipeline();
    for (const k of keys.slice(i, i + 1_000)) pipe.hget(k, "s");
    for (const [, json] of (await pipe.exec()) ?? []) {
      try {
        const s = JSON.parse(String(json)) as { flowId?: string | null; stepId?: string | null };
        if (s.flowId === "login_help" && s.stepId) open += 1;
      } catch {
        // not counted as open
      }
    }
  }
  const sample = keys.slice(0, 50);
  let bytes = 0;
  for (const k of sample) bytes += Number(await redis.call("MEMORY", "USAGE", k));
  return { states: keys.length, open, bytesPerState: sample.length ? bytes / sample.length : 0 };
}

// ---- formatting -------------------------------------------------------------------------------

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const sep = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(rows[0]!), sep, ...rows.slice(1).map(line)].join("\n");
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  log(
    `bench:memory: ${count(CONVERSATIONS)} open conversations ("${TEXT}" → the login flow's button question), batches of ${BATCH}`,
  );
  log(`Node ${process.version}, ${os.cpus().length} cores (${cpu}), Redis at ${REDIS_URL}`);
  log();

  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  cleanups.push(async () => void (await redis.quit().catch(() => {})));
  const redisVersion = /^redis_version:(\S+)/m.exec(await redis.info("server"))?.[1] ?? "?";

  // ---- Frontline ----
  const prefix = `flbench:mem:${randomUUID().slice(0, 8)}:`;
  cleanups.push(() => deleteKeysWithPrefix(redis, prefix));
  const flFake = await FakeTelegram.start({ recordCalls: false });
  cleanups.push(() => flFake.close());
  let flSends = 0;
  flFake.onCall((c) => {
    if (c.ok && c.method === "sendMessage") flSends += 1;
  });
  const flCustomers = makeCustomers(flFake);
  // Read-only views of the product's BullMQ queues (names and prefix as in src/queue).
  const intakeQ = new Queue("intake", { connection: redis, prefix: `${prefix}bull` });
  const outboxQ = new Queue("outbox", { connection: redis, prefix: `${prefix}bull` });
  cleanups.push(async () => {
    await Promise.all([intakeQ.close(), outboxQ.close()].map((p) => p.catch(() => {})));
  });
  const redisBefore = await usedMemoryMb(redis);
  log(
    "Frontline (as `npm start` runs it, Node flags from package.json; Telegram adapter in polling mode):",
  );
  // --inspect-port=0 only picks the port the inspector would use if opened later (SIGUSR1, after
  // the RSS samples; see memory-inspect.ts); it opens nothing at start.
  // The same Node flags `npm start` uses (package.json), so this measures what operators run.
  const startFlags =
    (JSON.parse(readFileSync("package.json", "utf8")).scripts.start as string).match(
      /--max-old-space-size=\d+/g,
    ) ?? [];
  const flChild = spawnChild(
    "frontline",
    ["--inspect-port=0", ...startFlags, "bin/frontline.mjs", "start"],
    {
      TELEGRAM_BOT_TOKEN: flFake.token,
      TELEGRAM_API_ROOT: flFake.apiRoot,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: "warn",
    },
  );
  cleanups.push(() => flChild.stop());
  const frontline: Contender = {
    who: "Frontline",
    fake: flFake,
    child: flChild,
    processed: async () => {
      // Cheap checks first; the key count (a SCAN) only once nothing is visibly in flight.
      if (flFake.pendingUpdates() > 0) return -1;
      if ((await busyJobs(intakeQ)) > 0) return -1;
      return countKeys(redis, `${prefix}{conv:*}:state`);
    },
  };
  const fl = await drive(frontline, flCustomers);
  const states = await checkStates(redis, prefix);
  const outboxBacklog = await busyJobs(outboxQ);
  const prefixKeys = await countKeys(redis, `${prefix}*`);
  const redisGrowth = (await usedMemoryMb(redis)) - redisBefore;
  progress(
    `Redis: ${count(states.states)} conversation states, ${count(states.open)} waiting at the login question; ~${fmt(states.bytesPerState, 0)} B per state (MEMORY USAGE); ${count(prefixKeys)} keys under the prefix; used_memory +${fmt(redisGrowth)} MB (shared server: approximate)`,
  );
  progress(
    `Outbox: ${count(flSends)} replies sent so far at Telegram's pace, ${count(outboxBacklog)} send jobs waiting in Redis`,
  );
  await flChild.stop();
  progress(`Frontline stopped (exit ${flChild.exitCode()})`);
  await flFake.close();
  await deleteKeysWithPrefix(redis, prefix);
  progress("Frontline's keys deleted");
  log();

  // ---- bare grammY ----
  log("bare grammY (bench/memory-bare.ts: @grammyjs/runner, state in an in-process Map):");
  const bareFake = await FakeTelegram.start({ recordCalls: false });
  cleanups.push(() => bareFake.close());
  let bareSends = 0;
  bareFake.onCall((c) => {
    if (c.ok && c.method === "sendMessage") bareSends += 1;
  });
  const bareCustomers = makeCustomers(bareFake);
  const bareChild = spawnChild(
    "bare grammY",
    ["--inspect-port=0", "--import", "tsx", "bench/memory-bare.ts"],
    {
      TELEGRAM_BOT_TOKEN: bareFake.token,
      TELEGRAM_API_ROOT: bareFake.apiRoot,
    },
  );
  cleanups.push(() => bareChild.stop());
  const bare = await drive(
    {
      who: "bare grammY",
      fake: bareFake,
      child: bareChild,
      // It answers inside the handler, right after it stores the state: one reply = one done.
      processed: async () => bareSends,
    },
    bareCustomers,
  );
  await bareChild.stop();
  progress(`bare grammY stopped (exit ${bareChild.exitCode()})`);
  await bareFake.close();
  log();

  // ---- report ----
  const mb = (n: number | undefined) => (n === undefined ? "—" : `${fmt(n)} MB`);
  const sampleAt = (r: Run, n: number) => r.at.get(n)?.median;
  const verdict = (n: number | undefined) =>
    n === undefined ? "—" : n <= TARGET_MB ? "pass" : "FAIL";
  const slope = (r: Run) => {
    const first = CHECKPOINTS[0] as number;
    const a = sampleAt(r, first);
    const b = sampleAt(r, r.reached);
    return a === undefined || b === undefined || r.reached <= first
      ? undefined
      : ((b - a) / (r.reached - first)) * 1_000;
  };
  const slopeText = (s: number | undefined) =>
    s === undefined ? "—" : `${s >= 0 ? "+" : ""}${fmt(s, 2)} MB`;
  const fullRun = fl.reached === CONVERSATIONS && bare.reached === CONVERSATIONS;
  // The target speaks of CONVERSATIONS open conversations: judged only when Frontline got there.
  const flFull = fl.reached === CONVERSATIONS;
  const judged = (n: number | undefined) => (flFull ? verdict(n) : "not reached");
  const targetText = flFull ? `≤ ${TARGET_MB} MB` : "";
  const rows: string[][] = [["metric", "Frontline", "bare grammY", "target", "pass/fail"]];
  rows.push(["RSS idle (after start)", mb(fl.idle.median), mb(bare.idle.median), "", ""]);
  for (const n of CHECKPOINTS.filter((n) => n < CONVERSATIONS)) {
    rows.push([
      `RSS at ${count(n)} open conversations`,
      mb(sampleAt(fl, n)),
      mb(sampleAt(bare, n)),
      "",
      "",
    ]);
  }
  const flFinal = sampleAt(fl, fl.reached);
  const bareFinal = sampleAt(bare, bare.reached);
  const finalLabel =
    fl.reached === bare.reached
      ? `RSS at ${count(fl.reached)} open conversations`
      : `RSS at the end (Frontline ${count(fl.reached)}, bare ${count(bare.reached)})`;
  rows.push([finalLabel, mb(flFinal), mb(bareFinal), targetText, judged(flFinal)]);
  rows.push(["peak RSS (VmHWM)", mb(fl.peak), mb(bare.peak), targetText, judged(fl.peak)]);
  rows.push([
    `RSS growth per 1,000 conversations (${count(CHECKPOINTS[0] as number)} → end)`,
    slopeText(slope(fl)),
    slopeText(slope(bare)),
    "~flat",
    "",
  ]);
  const heldMb = (r: Run) => mb(r.live?.after.heapUsed);
  const gcRssMb = (r: Run) => mb(r.live?.after.rss);
  rows.push([
    "JS heap still held after a full GC (end)",
    heldMb(fl),
    heldMb(bare),
    "",
    "diagnostic",
  ]);
  rows.push(["RSS right after that GC (end)", gcRssMb(fl), gcRssMb(bare), "", "diagnostic"]);
  rows.push(["time to process all (s)", `${fmt(fl.seconds)} s`, `${fmt(bare.seconds)} s`, "", ""]);
  log(table(rows));
  log();
  log(
    `Node ${process.version}, Redis ${redisVersion}, ${os.cpus().length} cores (${cpu}). RSS = VmRSS of the child process (MB = MiB), median of the samples at each point.`,
  );
  if (fl.budgetHit || bare.budgetHit) {
    log(
      `NOTE: the ${BUDGET_MS / 1000} s budget ran out before ${count(CONVERSATIONS)} conversations (Frontline ${count(fl.reached)}, bare ${count(bare.reached)}); the numbers are for what was reached.`,
    );
  }
  if (states.open !== states.states || states.states < fl.reached) {
    log(
      `WARNING: ${count(states.open)} of ${count(states.states)} stored conversations wait at the login question (expected ${count(fl.reached)}).`,
    );
  }

  const pass = verdict(flFinal) === "pass" && verdict(fl.peak) === "pass" && fullRun;
  log(
    `target (DESIGN.md: RSS ≤ ${TARGET_MB} MB with ${count(CONVERSATIONS)} open conversations): ${pass ? "PASS" : fullRun ? "FAIL" : "NOT MEASURED IN FULL"}`,
  );
  log();
  log("README-ready:");
  log();
  log("```");
  log(`### Memory with ${count(fl.reached)} open conversations (\`npm run bench:memory\`)`);
  log();
  const readme: string[][] = [
    ["", "Frontline", "bare grammY, state in a Map", "target"],
    ["RSS idle", mb(fl.idle.median), mb(bare.idle.median), ""],
    ...CHECKPOINTS.filter((n) => n < CONVERSATIONS).map((n) => [
      `RSS, ${count(n)} open`,
      mb(sampleAt(fl, n)),
      mb(sampleAt(bare, n)),
      "",
    ]),
    [
      fl.reached === bare.reached
        ? `RSS, ${count(fl.reached)} open`
        : `RSS at the end (${count(fl.reached)} / ${count(bare.reached)} open)`,
      mb(flFinal),
      mb(bareFinal),
      flFull ? `${targetText} (${judged(flFinal)})` : "",
    ],
    ["peak RSS", mb(fl.peak), mb(bare.peak), flFull ? `${targetText} (${judged(fl.peak)})` : ""],
    ["growth per 1,000 conversations", slopeText(slope(fl)), slopeText(slope(bare)), ""],
    ["JS heap held after a forced full GC", heldMb(fl), heldMb(bare), ""],
    ["RSS after that GC", gcRssMb(fl), gcRssMb(bare), ""],
  ];
  log(table(readme));
  log();
  log(
    `${fullRun ? "" : `Partial run: the ${BUDGET_MS / 1000} s budget ran out (Frontline ${count(fl.reached)}, bare ${count(bare.reached)} of ${count(CONVERSATIONS)}). `}Each bot is a child process measured alone (VmRSS from /proc); every customer writes "${TEXT}" and is left at the login flow's button question. Frontline keeps conversation state in Redis (~${fmt(states.bytesPerState, 0)} B per conversation there) and its ${count(fl.reached)} replies in the Redis outbox, sent at Telegram's 30 msg/s; the bare bot keeps state in its heap and replies at once. The GC rows come last (the inspector is opened after the RSS samples) and separate memory still held from garbage V8 has not collected yet. Node ${process.version}, Redis ${redisVersion}, ${os.cpus().length} cores.`,
  );
  log("```");
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  // After Ctrl-C the children are stopped under main's feet; that is no failure to report.
  if (!guard.interrupted)
    process.stderr.write(`bench:memory failed: ${(err as Error)?.stack ?? err}\n`);
  code = guard.interrupted ? 130 : 1;
}
await exitAfterCleanup(code);
