// The reply scenarios of `npm run bench:discord`: customers writing DMs into a fake Discord, and
// a clock on the fake's call hook that times each bot message against the customer message it
// answers (first in, first answered, per DM channel; each scripted answer is one message).
import type { CallRecord, FakeDiscord } from "../test/fakes/discord/index.ts";
import { paced, type Stats, sleep, stats, until } from "./desk-measure.ts";

const POST_MESSAGE = /^\/channels\/(\d+)\/messages$/;

export interface DmCustomer {
  userId: string;
  dmId: string;
}

export function makeDmCustomers(fake: FakeDiscord, guildId: string, count: number): DmCustomer[] {
  return Array.from({ length: count }, (_, i) => {
    const user = fake.addUser({ username: `customer${i}`, globalName: `Customer ${i}` });
    fake.addMember(guildId, user.id);
    return { userId: user.id, dmId: fake.ensureDM(user.id) };
  });
}

/** Times every bot message into a customer's DM against the oldest unanswered push there. */
export class DmReplyClock {
  private readonly waiting = new Map<string, number[]>();
  readonly latencies: number[] = [];
  /** Latencies of messages pushed at or after `countFrom` only (a warm-up before it is dropped). */
  countFrom = 0;
  replies = 0;
  /** Bot messages that answered nothing pushed (would mean a second answer). */
  extra = 0;
  failures = 0;
  lastReplyAt = 0;
  private readonly off: () => void;

  constructor(fake: FakeDiscord) {
    this.off = fake.onCall((c) => this.onCall(c));
  }

  pushed(dmId: string, at: number): void {
    const q = this.waiting.get(dmId);
    if (q) q.push(at);
    else this.waiting.set(dmId, [at]);
  }

  stop(): void {
    this.off();
  }

  private onCall(c: CallRecord): void {
    if (c.method !== "POST") return;
    const dmId = POST_MESSAGE.exec(c.path)?.[1];
    if (!dmId) return;
    if (c.status >= 300) {
      this.failures++;
      return;
    }
    const at = this.waiting.get(dmId)?.shift();
    if (at === undefined) {
      this.extra++;
      return;
    }
    const now = performance.now();
    this.replies++;
    this.lastReplyAt = now;
    if (at >= this.countFrom) this.latencies.push(now - at);
  }
}

export interface BurstResult {
  messages: number;
  answered: number;
  ms: number;
  perSecond: number;
  extra: number;
}

/** Every customer writes `perCustomer` messages at once; the clock runs until the last answer. */
export async function dmBurst(
  fake: FakeDiscord,
  customers: DmCustomer[],
  perCustomer: number,
  text: string,
  timeoutMs = 60_000,
): Promise<BurstResult> {
  const clock = new DmReplyClock(fake);
  const total = customers.length * perCustomer;
  const start = performance.now();
  for (let m = 0; m < perCustomer; m++)
    for (const c of customers) {
      clock.pushed(c.dmId, performance.now());
      fake.userSendsDM(c.userId, text);
    }
  await until(() => clock.replies >= total, timeoutMs);
  // A repeat would come right after the last answer; give it a moment to show.
  await sleep(200);
  clock.stop();
  const ms = clock.lastReplyAt - start;
  return {
    messages: total,
    answered: clock.replies,
    ms,
    perSecond: clock.replies >= total ? (total * 1000) / ms : Number.NaN,
    extra: clock.extra,
  };
}

export interface RateResult {
  offeredPerSecond: number;
  sent: number;
  answered: number;
  latency: Stats;
  extra: number;
  failures: number;
  /** Pushes more than 5 ms behind schedule (the driver itself was late). */
  lateOver5ms: number;
}

/**
 * `perSecond` messages a second for `seconds`, round-robin over the customers (so one customer
 * writes again only after the others); the first `warmupSeconds` are not counted.
 */
export async function dmFixedRate(
  fake: FakeDiscord,
  customers: DmCustomer[],
  o: { perSecond: number; seconds: number; warmupSeconds: number; text: string },
): Promise<RateResult> {
  const clock = new DmReplyClock(fake);
  const count = o.perSecond * o.seconds;
  clock.countFrom = performance.now() + o.warmupSeconds * 1000;
  const run = await paced(count, o.perSecond, (i) => {
    const c = customers[i % customers.length] as DmCustomer;
    clock.pushed(c.dmId, performance.now());
    fake.userSendsDM(c.userId, o.text);
  });
  await until(() => clock.replies >= count, 30_000);
  await sleep(200);
  clock.stop();
  return {
    offeredPerSecond: run.offeredPerSecond,
    sent: count,
    answered: clock.replies,
    latency: stats(clock.latencies),
    extra: clock.extra,
    failures: clock.failures,
    lateOver5ms: run.lateOver5ms,
  };
}
