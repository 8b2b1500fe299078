// `npm run bench:conversation`: how honest and understanding the shipped conversation is, per
// language, beside nlp.js. Every labelled line (conversation-data/<locale>.json, written for
// this bench, never the flows' own examples) runs as a new customer through the real engine on
// Redis: off-topic lines must not be answered by a topical flow, paraphrases and greeting +
// problem lines must land in their flow on the first turn, and a typed answer to a button
// question must take the conversation where pressing that button does.
// Options: --json (results as JSON on stdout). Settings: REDIS_URL, FLOWS_DIR (default "flows"),
// BENCH_NLPJS=0 skips nlp.js.

import { randomUUID } from "node:crypto";
import os from "node:os";
import { Redis } from "ioredis";
import { Engine } from "../src/engine/engine.ts";
import { ConversationStore } from "../src/engine/store.ts";
import { loadFlowsOrThrow } from "../src/runtime/local.ts";
import { deleteKeysWithPrefix } from "../src/runtime/redis.ts";
import { guardBench, log } from "./common.ts";
import { loadCases, topicalFlows } from "./conversation-cases.ts";
import { EngineJudge, type Verdict } from "./conversation-engine.ts";
import { type NlpGuess, nlpjsGuesses } from "./conversation-nlpjs.ts";
import {
  bestThreshold,
  CONTENDERS,
  type Contender,
  type LocaleReport,
  markdownReport,
  nlpVerdict,
  summarize,
  TARGETS,
  textReport,
} from "./conversation-report.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const FLOWS_DIR = process.env.FLOWS_DIR ?? "flows";
const WITH_NLPJS = process.env.BENCH_NLPJS !== "0";
const JSON_OUT = process.argv.includes("--json");

const guard = guardBench("bench:conversation", { watchdogMs: 10 * 60_000 });
const { cleanups, exitAfterCleanup } = guard;

async function connect(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `bench:conversation needs Redis at ${REDIS_URL} (set REDIS_URL): ${(err as Error).message}`,
    );
  }
  cleanups.push(async () => void (await redis.quit().catch(() => {})));
  return redis;
}

async function main(): Promise<number> {
  const started = performance.now();
  const set = loadFlowsOrThrow(FLOWS_DIR);
  const cases = loadCases(set);
  const topical = topicalFlows(set);
  const redis = await connect();
  const prefix = `flbench:conv:${randomUUID().slice(0, 8)}:`;
  cleanups.push(() => deleteKeysWithPrefix(redis, prefix));
  const store = new ConversationStore(redis, { prefix });
  // As the product runs with a desk (and as the flow tests run): escalations hand over. Passed
  // as a variable so that an engine without the `handover` option still compiles.
  const options = { flows: set, store, handover: true };
  const engine = new Engine(options);
  const judge = new EngineJudge(engine, store, set, topical);

  const ours: Verdict[] = [];
  for (const c of cases) {
    if (guard.interrupted) return 130;
    ours.push(await judge.judge(c));
  }
  const oursMs = performance.now() - started;

  const verdicts: Partial<Record<Contender, Verdict[]>> = { ours };
  const thresholds = new Map<string, number>();
  if (WITH_NLPJS) {
    const guesses: NlpGuess[] = await nlpjsGuesses(set, cases);
    for (const l of set.bot.locales) {
      const mine = cases.map((c, i) => ({ c, g: guesses[i]! })).filter((r) => r.c.locale === l);
      const t = bestThreshold(
        mine.map((r) => r.c),
        mine.map((r) => r.g),
        topical,
      );
      thresholds.set(l, t);
    }
    verdicts["nlp.js"] = cases.map((c, i) => nlpVerdict(c, guesses[i]!, topical, null));
    verdicts["nlp.js, best threshold"] = cases.map((c, i) =>
      nlpVerdict(c, guesses[i]!, topical, c.typed ? 0 : thresholds.get(c.locale)!),
    );
  }
  const reports: LocaleReport[] = set.bot.locales.map((l) =>
    summarize(l, cases, verdicts, thresholds.get(l) ?? null),
  );

  const about = {
    node: process.version,
    cpus: os.cpus().length,
    flowsDir: FLOWS_DIR,
    flowsHash: set.hash,
    matchThreshold: engine.router.threshold,
    topicalFlows: [...topical],
    nlpjs: WITH_NLPJS,
    lines: cases.length,
    engineSeconds: Number((oursMs / 1000).toFixed(2)),
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  };
  if (JSON_OUT) {
    log(
      JSON.stringify(
        { ...about, contenders: CONTENDERS, targets: TARGETS, locales: reports },
        null,
        2,
      ),
    );
    return 0;
  }
  log(
    `Frontline conversation benchmark - node ${about.node}, ${about.cpus} CPUs, flows ${FLOWS_DIR} (${set.flows.size} flows, match threshold ${about.matchThreshold}), Redis ${REDIS_URL}`,
  );
  log(
    `${cases.length} lines, each a new customer through the real engine. Topical flows: ${[...topical].join(", ")}; the fallback and the menu are not.`,
  );
  log(
    `nlp.js: one model per language on the flows' trigger examples, told the true language; typed answers among the question's button labels and values. "nlp.js" is its own None decision; "best threshold" is tuned on these lines (flattering; typed answers: plain top-1).${WITH_NLPJS ? "" : " SKIPPED (BENCH_NLPJS=0)."}`,
  );
  log();
  for (const line of textReport(reports)) log(line);
  log("== Summary (markdown, paste into README)");
  for (const line of markdownReport(reports)) log(line);
  log();
  log(`(engine ${about.engineSeconds} s, total ${about.totalSeconds} s)`);
  return 0;
}

main()
  .then((code) => exitAfterCleanup(code))
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return exitAfterCleanup(1);
  });
