// Dataset loading for the NLU benchmark: BANKING77 CSV and CLINC150 JSON, deterministic splits.
// Data lives outside the repo (../shared/data); NLU_DATA_DIR overrides the location.

import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { seededRandom, shuffleInPlace } from "../src/nlu/classifier.ts";
import type { TrainingExample } from "../src/nlu/index.ts";

export interface Labelled {
  text: string;
  intent: string;
}

export function dataDir(): string {
  if (process.env.NLU_DATA_DIR) return resolve(process.env.NLU_DATA_DIR);
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  return resolve(repoRoot, "../shared/data");
}

export function requireFile(name: string): string {
  const path = resolve(dataDir(), name);
  if (!existsSync(path)) {
    throw new Error(`Missing ${path}. Set NLU_DATA_DIR to the folder holding ${name}.`);
  }
  return path;
}

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function loadBanking77(): Labelled[] {
  const rows = parseCsv(readFileSync(requireFile("banking77-train.csv"), "utf8"));
  const header = rows.shift() ?? [];
  const ti = header.indexOf("text");
  const ci = header.indexOf("category");
  if (ti < 0 || ci < 0) throw new Error("banking77-train.csv: expected columns text,category");
  return rows
    .filter((r) => r.length > Math.max(ti, ci))
    .map((r) => ({ text: r[ti]!, intent: r[ci]! }));
}

export interface Clinc150 {
  train: Labelled[];
  val: Labelled[];
  oosTrain: Labelled[];
  oosVal: Labelled[];
}

export function loadClinc150(): Clinc150 {
  const raw = JSON.parse(readFileSync(requireFile("clinc150-dev.json"), "utf8")) as Record<
    string,
    [string, string][]
  >;
  const conv = (key: string): Labelled[] =>
    (raw[key] ?? []).map(([text, intent]) => ({ text, intent }));
  return {
    train: conv("train"),
    val: conv("val"),
    oosTrain: conv("oos_train"),
    oosVal: conv("oos_val"),
  };
}

function byIntent(rows: Labelled[]): Map<string, Labelled[]> {
  const groups = new Map<string, Labelled[]>();
  for (const r of rows) {
    const g = groups.get(r.intent);
    if (g) g.push(r);
    else groups.set(r.intent, [r]);
  }
  return groups;
}

/** Seeded stratified split: `devShare` of every intent goes to dev. */
export function stratifiedSplit(
  rows: Labelled[],
  devShare: number,
  seed: number,
): { train: Labelled[]; dev: Labelled[] } {
  const rand = seededRandom(seed);
  const train: Labelled[] = [];
  const dev: Labelled[] = [];
  const groups = [...byIntent(rows).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [, items] of groups) {
    const shuffled = shuffleInPlace([...items], rand);
    const nDev = Math.round(items.length * devShare);
    dev.push(...shuffled.slice(0, nDev));
    train.push(...shuffled.slice(nDev));
  }
  return { train, dev };
}

/** Seeded sample of at most `perIntent` examples of every intent. */
export function samplePerIntent(rows: Labelled[], perIntent: number, seed: number): Labelled[] {
  const rand = seededRandom(seed);
  const out: Labelled[] = [];
  const groups = [...byIntent(rows).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [, items] of groups) out.push(...shuffleInPlace([...items], rand).slice(0, perIntent));
  return out;
}

export function asExamples(rows: Labelled[], locale = "en"): TrainingExample[] {
  return rows.map((r) => ({ intent: r.intent, text: r.text, locale }));
}
