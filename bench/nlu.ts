// `npm run bench:nlu`: answer quality and speed of the intent matcher beside nlp.js, same data,
// same run. Data: ../shared/data (override with NLU_DATA_DIR). NLU_BENCH_NLPJS=0 skips nlp.js.

import os from "node:os";
import {
  DEFAULT_MATCH_THRESHOLD,
  detectLanguage,
  IntentMatcher,
  type MatcherOptions,
} from "../src/nlu/index.ts";
import {
  asExamples,
  dataDir,
  type Labelled,
  loadBanking77,
  loadClinc150,
  samplePerIntent,
  stratifiedSplit,
} from "./nlu-data.ts";
import {
  atThreshold,
  type Contender,
  chooseThreshold,
  type Model,
  ms,
  type OosPoint,
  pct,
  percentile,
  type Scored,
  score,
  seconds,
  table,
  top1,
} from "./nlu-eval.ts";
import {
  flatten,
  LOCALES,
  MULTILINGUAL_HELD_OUT,
  MULTILINGUAL_OUT_OF_SCOPE,
  MULTILINGUAL_TRAIN,
} from "./nlu-multilingual.ts";
import { nlpjsContender } from "./nlu-nlpjs.ts";

const SPLIT_SEED = 42;
const FEW_SHOT = 10;
const FEW_SHOT_SEEDS = [101, 102, 103, 104, 105];

function matcherContender(name: string, options: MatcherOptions): Contender {
  return {
    name,
    async train(examples): Promise<Model> {
      const matcher = IntentMatcher.train(examples, options);
      return {
        predict(text: string) {
          const [best] = matcher.match(text, { limit: 1 });
          return { intent: best?.intent ?? null, confidence: best?.confidence ?? 0 };
        },
      };
    },
  };
}

const ours = matcherContender("ours", {});
/** The matcher before word vectors (lexical features only), measured in the same run. */
const lexical = matcherContender("ours, lexical only", { wordVectors: null });

interface Trained {
  model: Model;
  trainMs: number;
}

async function train(c: Contender, rows: Labelled[]): Promise<Trained> {
  const t0 = performance.now();
  const model = await c.train(asExamples(rows));
  return { model, trainMs: performance.now() - t0 };
}

const TIMED_PASSES = 3;

/**
 * Scores `rows` after one untimed pass over them (JIT warm-up, and the garbage left by training
 * collected), then times TIMED_PASSES passes. Each Scored carries the first pass's time in `ms`
 * and the best of the passes in `bestMs`: on a shared machine the best-of-3 filters out the
 * moments another process held the CPU, the raw time keeps everything (GC included).
 */
async function evaluate(model: Model, rows: Labelled[]): Promise<(Scored & { bestMs: number })[]> {
  await score(model, rows);
  const first = await score(model, rows);
  const best = first.map((r) => r.ms);
  for (let pass = 1; pass < TIMED_PASSES; pass++) {
    (await score(model, rows)).forEach((r, i) => {
      best[i] = Math.min(best[i]!, r.ms);
    });
  }
  return first.map((r, i) => ({ ...r, bestMs: best[i]! }));
}

function latency(rows: (Scored & { bestMs: number })[]): {
  p50: number;
  p99: number;
  bestP99: number;
} {
  const t = rows.map((r) => r.ms);
  return {
    p50: percentile(t, 0.5),
    p99: percentile(t, 0.99),
    bestP99: percentile(
      rows.map((r) => r.bestMs),
      0.99,
    ),
  };
}

function latencyText(l: { p50: number; p99: number; bestP99: number }): string {
  return `${ms(l.p50, 3)} / ${ms(l.p99, 3)} / ${ms(l.bestP99, 3)}`;
}

function log(line = ""): void {
  process.stdout.write(`${line}\n`);
}

interface Results {
  bankingFull: number;
  bankingFewMean: number;
  bankingFewMin: number;
  bankingFewMax: number;
  bankingTrainMs: number;
  bankingP50: number;
  bankingP99: number;
  bankingBestP99: number;
  clincTop1: number;
  clincChosen: OosPoint & { feasible: boolean };
  clincHeld: OosPoint;
  clincHeldDefault: OosPoint;
  clincTrainMs: number;
  clincP99: number;
  multiTop1?: number;
}

async function banking(contenders: Contender[], results: Map<string, Partial<Results>>) {
  const all = loadBanking77();
  const { train: trainRows, dev } = stratifiedSplit(all, 0.2, SPLIT_SEED);
  const intents = new Set(all.map((r) => r.intent)).size;
  log(`== 1. BANKING77: ${all.length} questions, ${intents} intents`);
  log(
    `   split: 20% of every intent as dev (seed ${SPLIT_SEED}) -> ${trainRows.length} train / ${dev.length} dev`,
  );
  log(
    `   10-shot: ${FEW_SHOT} examples per intent sampled from the train split, ${FEW_SHOT_SEEDS.length} seeds (${FEW_SHOT_SEEDS.join(", ")}); mean [min-max]`,
  );
  const rows: string[][] = [
    ["top-1, full train split"],
    [`top-1, ${FEW_SHOT} per intent`],
    ["train time, full split"],
    ["train time, 10 per intent (mean)"],
    ["match() p50 / p99 / best-of-3 p99"],
  ];
  for (const c of contenders) {
    const r = results.get(c.name) ?? {};
    const full = await train(c, trainRows);
    const scored = await evaluate(full.model, dev);
    const lat = latency(scored);
    const few: number[] = [];
    let fewMs = 0;
    for (const seed of FEW_SHOT_SEEDS) {
      const t = await train(c, samplePerIntent(trainRows, FEW_SHOT, seed));
      fewMs += t.trainMs;
      few.push(top1(await score(t.model, dev)));
    }
    const mean = few.reduce((a, b) => a + b, 0) / few.length;
    Object.assign(r, {
      bankingFull: top1(scored),
      bankingFewMean: mean,
      bankingFewMin: Math.min(...few),
      bankingFewMax: Math.max(...few),
      bankingTrainMs: full.trainMs,
      bankingP50: lat.p50,
      bankingP99: lat.p99,
      bankingBestP99: lat.bestP99,
    });
    results.set(c.name, r);
    rows[0]!.push(pct(top1(scored)));
    rows[1]!.push(`${pct(mean)} [${pct(Math.min(...few))}-${pct(Math.max(...few))}]`);
    rows[2]!.push(seconds(full.trainMs));
    rows[3]!.push(seconds(fewMs / FEW_SHOT_SEEDS.length));
    rows[4]!.push(latencyText(lat));
  }
  log(table(["", ...contenders.map((c) => c.name)], rows));
  log();
}

/** In-scope accuracy the held-out threshold is chosen for on val-tune: 1 point above the 90%
 * target, because a threshold that sits exactly at 90% on the data it was tuned on lands below it
 * on unseen data. */
const HELD_OUT_TUNE_TARGET = 0.91;

async function clinc(contenders: Contender[], results: Map<string, Partial<Results>>) {
  const data = loadClinc150();
  const intents = new Set(data.train.map((r) => r.intent)).size;
  // Held-out protocol: val is split in halves per intent (seed SPLIT_SEED). The threshold is
  // chosen on val-tune + oos_train and then applied, unchanged, to val-held + oos_val, which
  // nothing was tuned on. (The matcher's defaults were chosen on val-tune, BANKING77's train
  // split and the conversation sets, never on val-held or oos_val.)
  const { train: valTune, dev: valHeld } = stratifiedSplit(data.val, 0.5, SPLIT_SEED);
  log(
    `== 2. CLINC150 out-of-scope: train ${data.train.length} (${intents} intents, in-scope only), val ${data.val.length} + oos_val ${data.oosVal.length}, oos_train ${data.oosTrain.length}`,
  );
  log("   (in-scope counts as correct only if top-1 is right AND confidence >= threshold)");
  log(
    "   a) threshold tuned on val + oos_val, reported there: the highest OOS recall that keeps in-scope >= 90%",
  );
  log(
    `   b) held-out: val split in halves per intent (seed ${SPLIT_SEED}); threshold = highest OOS recall with in-scope >= ${pct(HELD_OUT_TUNE_TARGET, 0)}`,
  );
  log(
    `      on val-tune (${valTune.length}) + oos_train (${data.oosTrain.length}), applied unchanged to val-held (${valHeld.length}) + oos_val (${data.oosVal.length})`,
  );
  const rows: string[][] = [
    ["top-1 on val (no threshold)"],
    ["a) threshold tuned on val"],
    ["a) in-scope / OOS recall on val"],
    ["b) threshold tuned on val-tune"],
    ["b) val-tune in-scope / OOS (oos_train)"],
    ["b) HELD-OUT in-scope / OOS recall"],
    [`HELD-OUT @ DEFAULT_MATCH_THRESHOLD=${DEFAULT_MATCH_THRESHOLD}`],
    ["train time"],
    ["match() p50 / p99 / best-of-3 p99"],
  ];
  for (const c of contenders) {
    const r = results.get(c.name) ?? {};
    const t = await train(c, data.train);
    // Val in the order val-tune then val-held, so the halves are slices of one scored list.
    const inScope = await evaluate(t.model, [...valTune, ...valHeld]);
    const oos = await score(t.model, data.oosVal);
    const oosTrain = await score(t.model, data.oosTrain);
    const chosen = chooseThreshold(inScope, oos, 0.9);
    const tuneScored = inScope.slice(0, valTune.length);
    const heldScored = inScope.slice(valTune.length);
    const tuned = chooseThreshold(tuneScored, oosTrain, HELD_OUT_TUNE_TARGET);
    const tunePoint = atThreshold(tuneScored, oosTrain, tuned.threshold);
    const held = atThreshold(heldScored, oos, tuned.threshold);
    const heldDefault = atThreshold(heldScored, oos, DEFAULT_MATCH_THRESHOLD);
    const lat = latency(inScope);
    Object.assign(r, {
      clincTop1: top1(inScope),
      clincChosen: chosen,
      clincHeld: held,
      clincHeldDefault: heldDefault,
      clincTrainMs: t.trainMs,
      clincP99: lat.p99,
    });
    results.set(c.name, r);
    const pair = (p: OosPoint) => `${pct(p.inScopeAccuracy)} / ${pct(p.oosRecall)}`;
    rows[0]!.push(pct(top1(inScope)));
    rows[1]!.push(`${chosen.threshold.toFixed(3)}${chosen.feasible ? "" : " (90% unreachable)"}`);
    rows[2]!.push(pair(chosen));
    rows[3]!.push(
      `${tuned.threshold.toFixed(3)}${tuned.feasible ? "" : ` (${pct(HELD_OUT_TUNE_TARGET, 0)} unreachable)`}`,
    );
    rows[4]!.push(pair(tunePoint));
    rows[5]!.push(pair(held));
    rows[6]!.push(pair(heldDefault));
    rows[7]!.push(seconds(t.trainMs));
    rows[8]!.push(latencyText(lat));
  }
  log(table(["", ...contenders.map((c) => c.name)], rows));
  log();
}

async function multilingual(withNlpjs: boolean, results: Map<string, Partial<Results>>) {
  const trainRows = flatten(MULTILINGUAL_TRAIN);
  const held = flatten(MULTILINGUAL_HELD_OUT);
  const oosRows = LOCALES.flatMap((locale) =>
    MULTILINGUAL_OUT_OF_SCOPE[locale].map((text) => ({ text, intent: "oos", locale })),
  );
  const intents = Object.keys(MULTILINGUAL_TRAIN).length;
  log(
    `== 3. Multilingual sanity: ${intents} intents x ${LOCALES.length} languages, ${trainRows.length} training phrases; ${held.length} held-out (typos, inflections, no diacritics); ${oosRows.length} off-topic`,
  );
  const matcher = IntentMatcher.train(trainRows);
  const locOf = new Map<string, string>([...held, ...oosRows].map((r) => [r.text, r.locale]));
  const contenders: { name: string; model: Model }[] = [
    {
      name: "ours",
      model: {
        predict(text) {
          const [b] = matcher.match(text, { limit: 1 });
          return { intent: b?.intent ?? null, confidence: b?.confidence ?? 0 };
        },
      },
    },
  ];
  if (withNlpjs) {
    const c = nlpjsContender([...LOCALES], (text) => locOf.get(text) ?? "en");
    contenders.push({ name: "nlp.js (told the true locale)", model: await c.train(trainRows) });
  }
  const rows: string[][] = LOCALES.map((l) => [`top-1 ${l}`]);
  rows.push(
    ["top-1 all"],
    [`right AND >= ${DEFAULT_MATCH_THRESHOLD}`],
    [`off-topic < ${DEFAULT_MATCH_THRESHOLD}`],
  );
  const misses: string[] = [];
  for (const c of contenders) {
    const scored = await score(c.model, held);
    LOCALES.forEach((l, i) => {
      rows[i]!.push(pct(top1(scored.filter((s) => locOf.get(s.text) === l)), 0));
    });
    rows[LOCALES.length]!.push(pct(top1(scored)));
    const key = c.name === "ours" ? "ours" : "nlp.js";
    results.set(key, { ...results.get(key), multiTop1: top1(scored) });
    if (c.name === "ours") {
      const oos = await score(c.model, oosRows);
      const p = atThreshold(scored, oos, DEFAULT_MATCH_THRESHOLD);
      rows[LOCALES.length + 1]!.push(pct(p.inScopeAccuracy));
      rows[LOCALES.length + 2]!.push(pct(p.oosRecall));
      for (const s of scored) {
        if (s.predicted !== s.intent)
          misses.push(
            `   miss: "${s.text}" -> ${s.predicted} (${s.confidence.toFixed(2)}), want ${s.intent}`,
          );
      }
      for (const s of oos) {
        if (s.confidence >= DEFAULT_MATCH_THRESHOLD)
          misses.push(
            `   off-topic above threshold: "${s.text}" -> ${s.predicted} (${s.confidence.toFixed(2)})`,
          );
      }
    } else {
      rows[LOCALES.length + 1]!.push("-");
      rows[LOCALES.length + 2]!.push("-");
    }
  }
  log(table(["", ...contenders.map((c) => c.name)], rows));
  for (const m of misses) log(m);

  // Language detection on the same held-out and off-topic phrases, no hint.
  const candidates = [...LOCALES];
  const all = [...held, ...oosRows];
  const perLocale = LOCALES.map((l) => {
    const mine = all.filter((r) => r.locale === l);
    const ok = mine.filter((r) => detectLanguage(r.text, candidates).locale === l).length;
    return `${l} ${ok}/${mine.length}`;
  });
  const okAll = all.filter((r) => detectLanguage(r.text, candidates).locale === r.locale).length;
  log(
    `   detectLanguage (no hint), ${all.length} phrases: ${pct(okAll / all.length)}  (${perLocale.join(", ")})`,
  );
  for (const r of all) {
    const d = detectLanguage(r.text, candidates);
    if (d.locale !== r.locale)
      log(
        `   language miss: "${r.text}" -> ${d.locale} (${d.confidence.toFixed(2)}), want ${r.locale}`,
      );
  }
  log();
}

function summary(contenders: Contender[], results: Map<string, Partial<Results>>): void {
  const get = (name: string) => results.get(name) ?? {};
  const cell = (name: string, f: (r: Partial<Results>) => string) => f(get(name));
  const names = contenders.map((c) => c.name);
  const line = (what: string, target: string, f: (r: Partial<Results>) => string) =>
    `| ${what} | ${target} | ${names.map((n) => cell(n, f)).join(" | ")} |`;
  log("== Summary (markdown, paste into README)");
  log(`| metric | target | ${names.join(" | ")} |`);
  log(`| --- | --- | ${names.map(() => "---").join(" | ")} |`);
  log(
    line("BANKING77 top-1, full train (80% split)", ">= 90%", (r) =>
      pct(r.bankingFull ?? Number.NaN),
    ),
  );
  log(
    line(
      `BANKING77 top-1, ${FEW_SHOT} per intent (mean of ${FEW_SHOT_SEEDS.length} samples)`,
      ">= 78%",
      (r) => pct(r.bankingFewMean ?? Number.NaN),
    ),
  );
  log(
    line(
      "BANKING77 match() p50 / p99 / best-of-3 p99",
      "p99 <= 2 ms",
      (r) =>
        `${ms(r.bankingP50 ?? Number.NaN, 3)} / ${ms(r.bankingP99 ?? Number.NaN, 3)} / ${ms(r.bankingBestP99 ?? Number.NaN, 3)}`,
    ),
  );
  log(
    line("BANKING77 train time (8k examples)", "a few s", (r) =>
      seconds(r.bankingTrainMs ?? Number.NaN),
    ),
  );
  log(line("CLINC150 top-1 (val, no threshold)", "", (r) => pct(r.clincTop1 ?? Number.NaN)));
  log(
    line("CLINC150 in-scope acc / OOS recall (threshold tuned on val)", ">= 90% / >= 60%", (r) =>
      r.clincChosen
        ? `${pct(r.clincChosen.inScopeAccuracy)} / ${pct(r.clincChosen.oosRecall)} @ ${r.clincChosen.threshold.toFixed(3)}${r.clincChosen.feasible ? "" : " (90% unreachable: best balanced point)"}`
        : "n/a",
    ),
  );
  log(line("CLINC150 train time (15k examples)", "", (r) => seconds(r.clincTrainMs ?? Number.NaN)));
  log(
    line(
      `CLINC150 held-out in-scope / OOS recall (threshold tuned on val-tune for >= ${pct(HELD_OUT_TUNE_TARGET, 0)})`,
      ">= 90% (aim 91%) / >= 60%",
      (r) =>
        r.clincHeld ? `${pct(r.clincHeld.inScopeAccuracy)} / ${pct(r.clincHeld.oosRecall)}` : "-",
    ),
  );
  log(
    line(`CLINC150 held-out @ DEFAULT_MATCH_THRESHOLD=${DEFAULT_MATCH_THRESHOLD}`, "", (r) =>
      r.clincHeldDefault
        ? `${pct(r.clincHeldDefault.inScopeAccuracy)} / ${pct(r.clincHeldDefault.oosRecall)}`
        : "-",
    ),
  );
  log(
    line("Multilingual held-out top-1 (en/ru/pl/el; nlp.js told the true locale)", "", (r) =>
      r.multiTop1 === undefined ? "-" : pct(r.multiTop1),
    ),
  );
  log();
  const o = get("ours");
  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  log("Targets (ours):");
  log(`  BANKING77 full >= 90%: ${verdict((o.bankingFull ?? 0) >= 0.9)}`);
  log(`  BANKING77 10-shot >= 78%: ${verdict((o.bankingFewMean ?? 0) >= 0.78)}`);
  log(
    `  match() p99 <= 2 ms: raw ${verdict((o.bankingP99 ?? Number.POSITIVE_INFINITY) <= 2)}, best-of-3 ${verdict((o.bankingBestP99 ?? Number.POSITIVE_INFINITY) <= 2)}`,
  );
  log(
    `  CLINC150 in-scope >= 90% with OOS recall >= 60% (tuned on val): ${verdict(
      !!o.clincChosen?.feasible && o.clincChosen.oosRecall >= 0.6,
    )}`,
  );
  log(
    `  CLINC150 held-out in-scope >= 91% with OOS recall >= 60%: ${verdict(
      (o.clincHeld?.inScopeAccuracy ?? 0) >= 0.91 && (o.clincHeld?.oosRecall ?? 0) >= 0.6,
    )} (>= 90%: ${verdict((o.clincHeld?.inScopeAccuracy ?? 0) >= 0.9 && (o.clincHeld?.oosRecall ?? 0) >= 0.6)})`,
  );
}

async function main(): Promise<void> {
  const withNlpjs = process.env.NLU_BENCH_NLPJS !== "0";
  const contenders: Contender[] = [ours, lexical];
  if (withNlpjs) contenders.push(nlpjsContender(["en"]));
  const started = performance.now();
  const load = () => os.loadavg()[0]!.toFixed(2);
  log(
    `Frontline NLU benchmark - node ${process.version}, ${os.cpus().length} CPUs, load average ${load()}, data ${dataDir()}`,
  );
  log(
    `(latencies: wall-clock per call after a warm-up pass; "p99" is one pass, "best-of-3 p99" takes each message's fastest of ${TIMED_PASSES} passes, which filters out other processes taking the CPU)`,
  );
  log(`DEFAULT_MATCH_THRESHOLD = ${DEFAULT_MATCH_THRESHOLD}`);
  log();
  const results = new Map<string, Partial<Results>>();
  await banking(contenders, results);
  await clinc(contenders, results);
  await multilingual(withNlpjs, results);
  summary(contenders, results);
  log(
    `(bench wall time ${seconds(performance.now() - started)}, load average at the end ${load()})`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
