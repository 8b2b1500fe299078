// Injected REST failures: failNext (the next matching calls) and failRate (a random fraction).
import { DiscordError, rateLimited } from "./errors.ts";
import type { FailRateOptions, FailSpec } from "./types.ts";

/** What a fault is matched against: any of path, route, "METHOD path", "METHOD route". */
export interface CallKey {
  method: string;
  path: string;
  route: string;
}

function matches(re: RegExp | undefined, k: CallKey): boolean {
  if (!re) return true;
  const test = (s: string) => {
    re.lastIndex = 0;
    return re.test(s);
  };
  return (
    test(k.path) || test(k.route) || test(`${k.method} ${k.path}`) || test(`${k.method} ${k.route}`)
  );
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: "400: Bad Request",
  401: "401: Unauthorized",
  403: "Missing Permissions",
  404: "404: Not Found",
  500: "500: Internal Server Error",
  502: "502: Bad Gateway",
  503: "503: Service Unavailable",
};

function errorFor(
  status: number,
  spec: { code?: number; message?: string; retryAfterSeconds?: number; global?: boolean },
): DiscordError {
  if (status === 429) {
    const global = spec.global ?? false;
    return rateLimited(
      spec.retryAfterSeconds ?? 0.1,
      global ? { global } : { bucket: "fake-injected" },
    );
  }
  return new DiscordError(
    status,
    spec.code ?? (status === 403 ? 50013 : 0),
    spec.message ?? DEFAULT_MESSAGES[status] ?? `${status}: Error`,
  );
}

/** mulberry32: a tiny seeded PRNG so failRate runs can be reproduced. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RateRule extends FailRateOptions {
  random: () => number;
}

export class Faults {
  private readonly next: Array<{ re: RegExp; spec: FailSpec; left: number }> = [];
  private readonly rates = new Set<RateRule>();

  failNext(re: RegExp, spec: FailSpec): void {
    this.next.push({ re, spec, left: Math.max(1, spec.times ?? 1) });
  }

  failRate(o: FailRateOptions): () => void {
    const rule: RateRule = { ...o, random: o.seed === undefined ? Math.random : seeded(o.seed) };
    this.rates.add(rule);
    return () => {
      this.rates.delete(rule);
    };
  }

  /** The injected error for this call, if any (checked after auth, before the handler). */
  injected(k: CallKey): DiscordError | undefined {
    const i = this.next.findIndex((n) => matches(n.re, k));
    const hit = this.next[i];
    if (hit) {
      if (--hit.left <= 0) this.next.splice(i, 1);
      return errorFor(hit.spec.status, hit.spec);
    }
    for (const rule of this.rates) {
      if (matches(rule.routes, k) && rule.random() < rule.rate) {
        return errorFor(rule.status ?? 429, rule);
      }
    }
    return undefined;
  }
}
