// Measuring tools of `npm run bench:desk`: an observer on the fake Bot API's call hook that
// timestamps ticket topics, ticket cards and relayed agent replies as the fake receives them;
// open-loop pacing; percentiles; CPU and event-loop samples per phase.
import { readFileSync } from "node:fs";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { Redis } from "ioredis";
import type { CallRecord, FakeTelegram } from "../test/fakes/telegram/index.ts";

/** The agent's pseudonym as customers see it: relayed replies arrive as "Anna: <text>". */
export const ALIAS = "Anna";
const RELAY_PREFIX = `${ALIAS}: `;
/** Topic titles look like "🆕 #12 S0042 · general · en" (src/desk/ticket.ts topicTitle). */
const TITLE = /#\d+ (\S+) ·/;
/** Cards have a line "Customer: S0042 · telegram id 123" (src/desk/card.ts). */
const CARD_CUSTOMER = /\nCustomer: (\S+) ·/;
export const CARD_PREFIX = "🎫 Ticket #";

export interface Escalation {
  pushedAt: number;
  topicAt?: number;
  cardAt?: number;
  threadId?: number;
}

export interface Relay {
  pushedAt: number;
  deliveredAt?: number;
}

/** Watches every API call the bot makes on one fake (synchronously, right after the fake handled it). */
export class DeskObserver {
  readonly escalations = new Map<string, Escalation>();
  readonly relays = new Map<string, Relay>();
  cards = 0;
  topics = 0;
  delivered = 0;
  /** Failed calls other than getUpdates (a 429 here would mean pacing, not the system). */
  readonly failures: string[] = [];
  /** Calls other than getUpdates, and when the last one came (to tell when a bot is idle). */
  calls = 0;
  lastCallAt = performance.now();
  private readonly off: () => void;

  constructor(
    fake: FakeTelegram,
    private readonly agentChatId: number,
  ) {
    this.off = fake.onCall((c) => this.onCall(c));
  }

  expectEscalation(customerName: string, pushedAt: number): void {
    this.escalations.set(customerName, { pushedAt });
  }

  expectRelay(text: string, pushedAt: number): void {
    this.relays.set(text, { pushedAt });
  }

  stop(): void {
    this.off();
  }

  private onCall(c: CallRecord): void {
    if (c.method === "getUpdates") return;
    const now = performance.now();
    this.calls++;
    this.lastCallAt = now;
    if (!c.ok) {
      if (this.failures.length < 20)
        this.failures.push(`${c.method}: ${c.error?.error_code} ${c.error?.description}`);
      return;
    }
    if (c.method === "createForumTopic") {
      const name = TITLE.exec(String(c.params.name ?? ""))?.[1];
      const rec = name === undefined ? undefined : this.escalations.get(name);
      if (rec && rec.topicAt === undefined) {
        rec.topicAt = now;
        this.topics++;
      }
      return;
    }
    if (c.method !== "sendMessage") return;
    const text = String(c.params.text ?? "");
    if (text.startsWith(CARD_PREFIX) && Number(c.params.chat_id) === this.agentChatId) {
      const name = CARD_CUSTOMER.exec(text)?.[1];
      const rec = name === undefined ? undefined : this.escalations.get(name);
      if (rec && rec.cardAt === undefined) {
        rec.cardAt = now;
        rec.threadId = Number(c.params.message_thread_id);
        this.cards++;
      }
      return;
    }
    if (text.startsWith(RELAY_PREFIX)) {
      const rec = this.relays.get(text.slice(RELAY_PREFIX.length));
      if (rec && rec.deliveredAt === undefined) {
        rec.deliveredAt = now;
        this.delivered++;
      }
    }
  }
}

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles. */
export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    s.length === 0
      ? Number.NaN
      : (s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number);
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s.at(-1) ?? Number.NaN };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `done` every 10 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

export interface PacedRun {
  /** What was really offered (pushes / time from the first to the last push). */
  offeredPerSecond: number;
  /** How late the driver pushed against its schedule (its own event-loop lag). */
  lateMaxMs: number;
  lateOver5ms: number;
}

/**
 * Open loop: push i happens at start + i/rate, whatever the bot is doing. Latencies are taken
 * from the real push time; `lateMaxMs` shows whether the schedule slipped.
 */
export async function paced(
  count: number,
  perSecond: number,
  push: (i: number) => void,
): Promise<PacedRun> {
  const start = performance.now();
  const gap = 1000 / perSecond;
  let lateMaxMs = 0;
  let lateOver5ms = 0;
  let last = start;
  for (let i = 0; i < count; i++) {
    const due = start + i * gap;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
    last = performance.now();
    const late = last - due;
    if (late > lateMaxMs) lateMaxMs = late;
    if (late > 5) lateOver5ms++;
    push(i);
  }
  const span = last - start;
  return {
    offeredPerSecond: span > 0 ? ((count - 1) * 1000) / span : count,
    lateMaxMs,
    lateOver5ms,
  };
}

export interface PhaseLoad {
  wallMs: number;
  /** % of one core used by this process (bot, fake Bot API and driver together). */
  cpuNode: number;
  /** % of one core used by redis-server (INFO cpu; the shared server, so also other users). */
  cpuRedis: number;
  /** % of one core used by every other process on the machine (Linux /proc/stat; NaN elsewhere). */
  cpuOthers: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const num = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return num("used_cpu_user") + num("used_cpu_sys");
}

/** CPU seconds the whole machine spent busy (all cores), from /proc/stat; NaN if unavailable. */
function machineBusySeconds(): number {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user/nice).
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return (total - idle) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** Samples CPU (this process, Redis) and event-loop delay from `start()` to `stop()`. */
export class LoadMeter {
  private t0 = 0;
  private cpu0: NodeJS.CpuUsage = { user: 0, system: 0 };
  private redis0 = 0;
  private machine0 = 0;
  private loop: IntervalHistogram | undefined;

  constructor(private readonly redis: Redis) {}

  async start(): Promise<void> {
    this.redis0 = await redisCpuSeconds(this.redis);
    this.machine0 = machineBusySeconds();
    this.loop = monitorEventLoopDelay({ resolution: 5 });
    this.loop.enable();
    this.cpu0 = process.cpuUsage();
    this.t0 = performance.now();
  }

  async stop(): Promise<PhaseLoad> {
    const wallMs = performance.now() - this.t0;
    const cpu = process.cpuUsage(this.cpu0);
    const loop = this.loop;
    loop?.disable();
    const machine1 = machineBusySeconds();
    const redis1 = await redisCpuSeconds(this.redis);
    const pct = (seconds: number) => ((seconds * 1000) / wallMs) * 100;
    const node = (cpu.user + cpu.system) / 1e6;
    const redis = redis1 - this.redis0;
    return {
      wallMs,
      cpuNode: pct(node),
      cpuRedis: pct(redis),
      cpuOthers: Math.max(0, pct(machine1 - this.machine0 - node - redis)),
      loopP99Ms: loop ? loop.percentile(99) / 1e6 : Number.NaN,
      loopMaxMs: loop ? loop.max / 1e6 : Number.NaN,
    };
  }
}
