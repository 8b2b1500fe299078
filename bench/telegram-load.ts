// Load generation and reply timing for `npm run bench:telegram`: simulated customers write to
// the fake Bot API, and every sendMessage the fake handles is matched to the oldest unanswered
// message of that chat (push time → time the fake received the reply).

import type { CallRecord, FakeTelegram, TestUser } from "../test/fakes/telegram/index.ts";

export interface Customer {
  user: TestUser;
  chatId: number;
}

/** `count` customers with ids from `firstId`, known to the fake (as if they had pressed Start). */
export function makeCustomers(fake: FakeTelegram, firstId: number, count: number): Customer[] {
  const out: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const user: TestUser = { id: firstId + i, first_name: `Customer${i}`, language_code: "en" };
    fake.addUser(user);
    out.push({ user, chatId: user.id });
  }
  return out;
}

/** One observed bot send. */
export interface Send {
  chatId: number;
  at: number;
}

/**
 * Watches the fake's calls. `push` records a customer message; each successful sendMessage to
 * that chat answers the oldest unanswered one. Times are performance.now() in ms.
 */
export class ReplyClock {
  readonly latencies: number[] = [];
  readonly sends: Send[] = [];
  /** Replies to a chat that had no unanswered message (a second answer, or an unsolicited one). */
  unmatched = 0;
  /** sendMessage calls the fake refused (e.g. 429). */
  failedSends = 0;
  pushed = 0;
  firstPush = Number.NaN;
  lastReply = Number.NaN;
  private readonly waiting = new Map<number, number[]>();
  private readonly perChat = new Map<number, number>();
  private readonly off: () => void;
  private expected = Number.POSITIVE_INFINITY;
  private onDone: (() => void) | undefined;

  constructor(fake: FakeTelegram) {
    this.off = fake.onCall((call) => this.observe(call));
  }

  /** The fake has just queued a message from this chat. */
  push(chatId: number, at = performance.now()): void {
    if (this.pushed === 0) this.firstPush = at;
    this.pushed++;
    let queue = this.waiting.get(chatId);
    if (!queue) {
      queue = [];
      this.waiting.set(chatId, queue);
    }
    queue.push(at);
  }

  /** Replies matched to a pushed message so far. */
  get answered(): number {
    return this.latencies.length;
  }

  /** Resolves true once `count` replies arrived, false after `timeoutMs`. */
  waitForReplies(count: number, timeoutMs: number): Promise<boolean> {
    if (this.answered >= count) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onDone = undefined;
        resolve(false);
      }, timeoutMs);
      this.expected = count;
      this.onDone = () => {
        clearTimeout(timer);
        this.onDone = undefined;
        resolve(true);
      };
    });
  }

  /** Replies per chat (to check that every message got exactly one). */
  repliesTo(chatId: number): number {
    return this.perChat.get(chatId) ?? 0;
  }

  stop(): void {
    this.off();
  }

  private observe(call: CallRecord): void {
    if (call.method !== "sendMessage") return;
    if (!call.ok) {
      this.failedSends++;
      return;
    }
    const now = performance.now();
    const chatId = Number(call.params.chat_id);
    this.sends.push({ chatId, at: now });
    this.perChat.set(chatId, (this.perChat.get(chatId) ?? 0) + 1);
    const pushedAt = this.waiting.get(chatId)?.shift();
    if (pushedAt === undefined) {
      this.unmatched++;
      return;
    }
    this.latencies.push(now - pushedAt);
    this.lastReply = now;
    if (this.answered >= this.expected) this.onDone?.();
  }
}

export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] as number;
}

export function latencyStats(values: number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 0.5),
    p95: percentile(s, 0.95),
    p99: percentile(s, 0.99),
    max: s.at(-1) ?? Number.NaN,
  };
}

/** Most sends in any window of `spanMs` (sliding), over all chats or per chat. */
export function maxInWindow(sends: Send[], spanMs = 1_000): { global: number; perChat: number } {
  const max = (times: number[]) => {
    let best = 0;
    let lo = 0;
    for (let hi = 0; hi < times.length; hi++) {
      while ((times[hi] as number) - (times[lo] as number) >= spanMs) lo++;
      best = Math.max(best, hi - lo + 1);
    }
    return best;
  };
  const byChat = new Map<number, number[]>();
  for (const s of sends) {
    const list = byChat.get(s.chatId) ?? [];
    list.push(s.at);
    byChat.set(s.chatId, list);
  }
  let perChat = 0;
  for (const times of byChat.values()) perChat = Math.max(perChat, max(times));
  return { global: max(sends.map((s) => s.at)), perChat };
}

export interface RunCheck {
  /** Messages that got no reply in time. */
  missing: number;
  /** Replies beyond one per message. */
  extra: number;
  /** Chats whose reply count differs from the messages they sent. */
  badChats: number;
}

/** Waits for one reply per pushed message, then a short grace to catch any second reply. */
export async function settle(
  clock: ReplyClock,
  sentPerChat: Map<number, number>,
  timeoutMs: number,
  graceMs = 250,
): Promise<RunCheck> {
  await clock.waitForReplies(clock.pushed, timeoutMs);
  await sleep(graceMs);
  let badChats = 0;
  for (const [chatId, sent] of sentPerChat) if (clock.repliesTo(chatId) !== sent) badChats++;
  return { missing: clock.pushed - clock.answered, extra: clock.unmatched, badChats };
}

export interface BurstResult {
  messages: number;
  totalMs: number;
  perSecond: number;
  latency: LatencyStats;
  check: RunCheck;
}

/**
 * Throughput: every customer's `perCustomer` messages are pushed at once, up front; the run
 * lasts from the first push to the last reply.
 */
export async function burst(
  fake: FakeTelegram,
  customers: Customer[],
  perCustomer: number,
  text: string,
  timeoutMs: number,
): Promise<BurstResult> {
  const clock = new ReplyClock(fake);
  const sentPerChat = new Map<number, number>();
  try {
    for (let round = 0; round < perCustomer; round++) {
      for (const c of customers) {
        fake.sendUserMessage(c.user, text);
        clock.push(c.chatId);
        sentPerChat.set(c.chatId, (sentPerChat.get(c.chatId) ?? 0) + 1);
      }
    }
    const check = await settle(clock, sentPerChat, timeoutMs);
    const totalMs = clock.lastReply - clock.firstPush;
    return {
      messages: clock.pushed,
      totalMs,
      perSecond: (clock.answered / totalMs) * 1000,
      latency: latencyStats(clock.latencies),
      check,
    };
  } finally {
    clock.stop();
  }
}

export interface RateResult {
  messages: number;
  /** Every latency, ms (to merge segments). */
  latencies: number[];
  /** Time pushing took, ms. */
  pushSpanMs: number;
  targetPerSecond: number;
  /** Messages actually pushed per second of the run. */
  offeredPerSecond: number;
  latency: LatencyStats;
  /** How late the generator pushed behind its schedule (a blocked event loop shows here). */
  pushLagP99: number;
  pushLagMax: number;
  check: RunCheck;
}

/**
 * Fixed rate: `perSecond` messages a second for `seconds`, customer after customer, so with as
 * many customers as the rate each one writes about once a second. Latency counts from the push.
 */
export async function fixedRate(
  fake: FakeTelegram,
  customers: Customer[],
  perSecond: number,
  seconds: number,
  text: string,
  timeoutMs: number,
  arrivals: Arrivals = "even",
): Promise<RateResult> {
  const clock = new ReplyClock(fake);
  const sentPerChat = new Map<number, number>();
  const total = Math.round(perSecond * seconds);
  const schedule = arrivalTimes(arrivals, perSecond, total);
  const lags: number[] = [];
  try {
    const t0 = performance.now();
    let n = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - t0;
        for (; n < total && (schedule[n] as number) <= elapsed; n++) {
          const c = customers[n % customers.length] as Customer;
          fake.sendUserMessage(c.user, text);
          const at = performance.now();
          clock.push(c.chatId, at);
          lags.push(at - t0 - (schedule[n] as number));
          sentPerChat.set(c.chatId, (sentPerChat.get(c.chatId) ?? 0) + 1);
        }
        if (n >= total) {
          clearInterval(timer);
          resolve();
        }
      };
      const every = arrivals === "even" ? Math.max(1, Math.floor(1000 / perSecond)) : 1;
      const timer = setInterval(tick, every);
      tick();
    });
    const pushSpanMs = performance.now() - t0;
    const check = await settle(clock, sentPerChat, timeoutMs);
    const lag = latencyStats(lags);
    return {
      messages: total,
      latencies: clock.latencies,
      pushSpanMs,
      targetPerSecond: perSecond,
      offeredPerSecond: (total / pushSpanMs) * 1000,
      latency: latencyStats(clock.latencies),
      pushLagP99: lag.p99,
      pushLagMax: lag.max,
      check,
    };
  } finally {
    clock.stop();
  }
}

/** "even": one message every 1/rate s; "poisson": random (exponential) gaps, same mean rate. */
export type Arrivals = "even" | "poisson";

/** Send times in ms from the start; seeded, so every run and both bots get the same ones. */
function arrivalTimes(arrivals: Arrivals, perSecond: number, total: number): number[] {
  const out: number[] = [];
  let seed = 0x5eed;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let at = 0;
  for (let n = 0; n < total; n++) {
    if (arrivals === "even") at = (n * 1000) / perSecond;
    else at += (-Math.log(1 - random()) * 1000) / perSecond;
    out.push(at);
  }
  return out;
}

/** One result from fixed-rate segments run at different times. */
export function mergeRates(parts: RateResult[]): RateResult {
  const first = parts[0] as RateResult;
  const latencies = parts.flatMap((p) => p.latencies);
  const messages = parts.reduce((a, p) => a + p.messages, 0);
  const pushSpanMs = parts.reduce((a, p) => a + p.pushSpanMs, 0);
  return {
    messages,
    latencies,
    pushSpanMs,
    targetPerSecond: first.targetPerSecond,
    offeredPerSecond: (messages / pushSpanMs) * 1000,
    latency: latencyStats(latencies),
    pushLagP99: Math.max(...parts.map((p) => p.pushLagP99)),
    pushLagMax: Math.max(...parts.map((p) => p.pushLagMax)),
    check: {
      missing: parts.reduce((a, p) => a + p.check.missing, 0),
      extra: parts.reduce((a, p) => a + p.check.extra, 0),
      badChats: parts.reduce((a, p) => a + p.check.badChats, 0),
    },
  };
}

export interface PacedResult {
  messages: number;
  totalMs: number;
  /** Most sends in any 1 s window, over all chats and in one chat. */
  maxGlobalPerWindow: number;
  maxChatPerWindow: number;
  /** Average send rate once the initial burst allowance is spent. */
  steadyGlobalPerSecond: number;
  /** The chatty customer's replies: time from first to last, and their count. */
  chattySpanMs: number;
  chattyReplies: number;
  failedSends: number;
  check: RunCheck;
}

/**
 * Pacing: `customers` each send `perCustomer` messages at once, and one chatty customer sends
 * `chattyMessages`; with Telegram's real limits the replies must be spread out.
 */
export async function paced(
  fake: FakeTelegram,
  customers: Customer[],
  perCustomer: number,
  chatty: Customer,
  chattyMessages: number,
  text: string,
  globalBurst: number,
  timeoutMs: number,
): Promise<PacedResult> {
  const clock = new ReplyClock(fake);
  const sentPerChat = new Map<number, number>();
  const send = (c: Customer) => {
    fake.sendUserMessage(c.user, text);
    clock.push(c.chatId);
    sentPerChat.set(c.chatId, (sentPerChat.get(c.chatId) ?? 0) + 1);
  };
  try {
    for (let i = 0; i < chattyMessages; i++) send(chatty);
    for (let round = 0; round < perCustomer; round++) for (const c of customers) send(c);
    const check = await settle(clock, sentPerChat, timeoutMs);
    const windows = maxInWindow(clock.sends);
    const times = clock.sends.map((s) => s.at);
    const afterBurst = times.slice(globalBurst);
    const steady =
      afterBurst.length > 1
        ? ((afterBurst.length - 1) / ((afterBurst.at(-1) as number) - (afterBurst[0] as number))) *
          1000
        : Number.NaN;
    const chattyTimes = clock.sends.filter((s) => s.chatId === chatty.chatId).map((s) => s.at);
    return {
      messages: clock.pushed,
      totalMs: clock.lastReply - clock.firstPush,
      maxGlobalPerWindow: windows.global,
      maxChatPerWindow: windows.perChat,
      steadyGlobalPerSecond: steady,
      chattySpanMs: (chattyTimes.at(-1) ?? Number.NaN) - (chattyTimes[0] ?? Number.NaN),
      chattyReplies: chattyTimes.length,
      failedSends: clock.failedSends,
      check,
    };
  } finally {
    clock.stop();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
