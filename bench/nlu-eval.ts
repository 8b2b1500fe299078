// Metrics for the NLU benchmark: top-1 accuracy, out-of-scope threshold selection, latency.
// Every contender (ours, nlp.js) is wrapped as a Model so the same code measures both.

export interface Prediction {
  intent: string | null;
  confidence: number;
}

export interface Model {
  predict(text: string): Prediction | Promise<Prediction>;
}

export interface Contender {
  name: string;
  train(examples: { intent: string; text: string; locale?: string }[]): Promise<Model>;
}

export interface Scored {
  text: string;
  intent: string;
  predicted: string | null;
  confidence: number;
  ms: number;
}

/** Runs every text through the model, timing each call. */
export async function score(
  model: Model,
  rows: { text: string; intent: string }[],
): Promise<Scored[]> {
  const out: Scored[] = [];
  for (const r of rows) {
    const t0 = performance.now();
    const res = model.predict(r.text);
    // Synchronous models are timed without the await's extra microtask turn.
    const p = res instanceof Promise ? await res : res;
    const ms = performance.now() - t0;
    out.push({ text: r.text, intent: r.intent, predicted: p.intent, confidence: p.confidence, ms });
  }
  return out;
}

export function top1(rows: Scored[]): number {
  if (rows.length === 0) return 0;
  return rows.filter((r) => r.predicted === r.intent).length / rows.length;
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export interface OosPoint {
  threshold: number;
  /** In-scope queries whose top-1 is right AND at or above the threshold. */
  inScopeAccuracy: number;
  /** Out-of-scope queries below the threshold. */
  oosRecall: number;
}

export function atThreshold(inScope: Scored[], oos: Scored[], threshold: number): OosPoint {
  const ok = inScope.filter((r) => r.predicted === r.intent && r.confidence >= threshold).length;
  const rejected = oos.filter((r) => r.confidence < threshold).length;
  return {
    threshold,
    inScopeAccuracy: inScope.length ? ok / inScope.length : 0,
    oosRecall: oos.length ? rejected / oos.length : 0,
  };
}

/**
 * The rule: the threshold with the highest out-of-scope recall among those that keep in-scope
 * accuracy ≥ `minInScope`. If no threshold can (top-1 itself is below it), the best balanced
 * point ((in-scope accuracy + OOS recall) / 2) is returned with `feasible: false`.
 */
export function chooseThreshold(
  inScope: Scored[],
  oos: Scored[],
  minInScope = 0.9,
): OosPoint & { feasible: boolean } {
  const candidates = [
    ...new Set([0, ...inScope.map((r) => r.confidence), ...oos.map((r) => r.confidence)]),
  ];
  candidates.sort((a, b) => a - b);
  let best: (OosPoint & { feasible: boolean }) | null = null;
  let balanced: OosPoint | null = null;
  for (const th of candidates) {
    const p = atThreshold(inScope, oos, th);
    if (p.inScopeAccuracy >= minInScope && (!best || p.oosRecall > best.oosRecall)) {
      best = { ...p, feasible: true };
    }
    const bal = (p.inScopeAccuracy + p.oosRecall) / 2;
    if (!balanced || bal > (balanced.inScopeAccuracy + balanced.oosRecall) / 2) balanced = p;
  }
  return best ?? { ...(balanced ?? atThreshold(inScope, oos, 0)), feasible: false };
}

export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : "n/a";
}

export function ms(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${x.toFixed(digits)} ms` : "n/a";
}

export function seconds(msValue: number): string {
  return `${(msValue / 1000).toFixed(1)} s`;
}

/** A plain fixed-width table: first column left-aligned, others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
