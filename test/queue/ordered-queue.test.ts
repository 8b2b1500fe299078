import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ItemMeta, type ItemOutcome, OrderedQueue } from "../../src/queue/ordered-queue.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

let redis: Redis;
const prefix = testPrefix("ordered");
const open: OrderedQueue<unknown>[] = [];

beforeAll(() => {
  redis = connectTestRedis();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.close(true)));
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  await redis.quit();
});

function queue<T>(
  name: string,
  handler: (group: string, item: T, meta: ItemMeta) => Promise<ItemOutcome>,
  extra: { lockDurationMs?: number; leaseMs?: number } = {},
) {
  const q = new OrderedQueue<T>({
    name,
    connection: redis,
    prefix,
    handler,
    concurrency: 16,
    ...extra,
  });
  open.push(q as OrderedQueue<unknown>);
  return q;
}

function waitUntil(check: () => boolean, ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > ms) return reject(new Error("condition not met in time"));
      setTimeout(tick, 10);
    };
    tick();
  });
}

/** Until no group of the queue has work left (its last item acknowledged). */
async function idle(q: { backlog: OrderedQueue<unknown>["backlog"] }, ms = 15_000): Promise<void> {
  const started = Date.now();
  while ((await q.backlog()).groups > 0) {
    if (Date.now() - started > ms) throw new Error("the queue kept work past the wait");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("ordered queue", () => {
  it("processes each group in order, groups in parallel, across two workers", async () => {
    const seen = new Map<string, number[]>();
    let active = 0;
    let maxActive = 0;
    const activeByGroup = new Map<string, number>();
    const handler = async (group: string, n: number): Promise<ItemOutcome> => {
      const busy = (activeByGroup.get(group) ?? 0) + 1;
      activeByGroup.set(group, busy);
      if (busy > 1) throw new Error(`two items of ${group} at once`);
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      seen.set(group, [...(seen.get(group) ?? []), n]);
      active -= 1;
      activeByGroup.set(group, busy - 1);
      return { type: "done" };
    };
    const a = queue<number>("order-a", handler);
    queue<number>("order-a", handler);
    const groups = Array.from({ length: 10 }, (_, g) => `g${g}`);
    await Promise.all(
      groups.map(async (g) => {
        for (let n = 0; n < 20; n++) await a.push(g, `${g}-${n}`, n);
      }),
    );
    await waitUntil(() => groups.every((g) => seen.get(g)?.length === 20));
    for (const g of groups) expect(seen.get(g)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(maxActive).toBeGreaterThan(1);
  });

  it("drops duplicates by item id", async () => {
    const got: string[] = [];
    const q = queue<string>("dedupe", async (_g, item) => {
      got.push(item);
      return { type: "done" };
    });
    expect(await q.push("g", "same", "first")).toBe("added");
    // While it is still in the inbox (handled, not yet acknowledged) it is a pending duplicate.
    expect(await q.push("g", "same", "again")).toBe("duplicate-pending");
    await waitUntil(() => got.length === 1);
    await idle(q);
    expect(await q.backlog()).toEqual({ groups: 0, oldestMs: null });
    expect(await q.push("g", "same", "second")).toBe("duplicate-done");
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toEqual(["first"]);
  });

  it("a push that claims reads what it was asked to with the claim; deleteWhenAdded only for a new item", async () => {
    const reads: (ItemMeta["readWithClaim"] | "none")[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const q = queue<string>("extras", async (_g, item, meta) => {
      reads.push(meta.readWithClaim ?? "none");
      if (item === "first") await held;
      return { type: "done" };
    });
    const hash = `${prefix}extras:hash`;
    const flag = `${prefix}extras:flag`;
    await redis.hset(hash, "v", "7", "s", "snapshot");
    await redis.set(flag, "set");
    const extras = {
      readWhenClaimed: { key: hash, fields: ["v", "s", "missing"] },
      deleteWhenAdded: flag,
    };
    expect(await q.push("g", "one", "first", extras)).toBe("added");
    expect(await redis.exists(flag)).toBe(0);
    await waitUntil(() => reads.length === 1);
    // Behind work under way: no claim, so nothing read for it (its handler reads for itself).
    expect(await q.push("g", "two", "second", extras)).toBe("added");
    // A duplicate is not news from the customer: the flag stays.
    await redis.set(flag, "set again");
    expect(await q.push("g", "one", "first", extras)).toBe("duplicate-pending");
    expect(await redis.get(flag)).toBe("set again");
    release();
    await waitUntil(() => reads.length === 2);
    await idle(q);
    expect(reads).toEqual([["7", "snapshot", null], "none"]);
  });

  it("adds one BullMQ job per activation of a group, not one per item", async () => {
    // A producer that does not drain (like a replica past its own limit) hands work over by job.
    const producer = new OrderedQueue<number>({
      name: "activation",
      connection: redis,
      prefix,
      consume: false,
      handler: async () => ({ type: "done" }),
    });
    open.push(producer as OrderedQueue<unknown>);
    for (let n = 0; n < 20; n++) await producer.push("g", `a${n}`, n);
    const jobs = async () => (await producer.queue.getJobs(["waiting", "completed"])).length;
    expect(await jobs()).toBe(1);
    const got: number[] = [];
    const consumer = queue<number>("activation", async (_g, n) => {
      got.push(n);
      return { type: "done" };
    });
    await waitUntil(() => got.length === 20);
    await idle(consumer);
    for (let n = 20; n < 25; n++) await producer.push("g", `a${n}`, n);
    await waitUntil(() => got.length === 25);
    expect(got).toEqual(Array.from({ length: 25 }, (_, n) => n));
    expect(await jobs()).toBe(2);
  });

  it("drains a group where it was pushed, without a job, and a burst joins that drain", async () => {
    const got: number[] = [];
    const q = queue<number>("inline", async (_g, n) => {
      got.push(n);
      await new Promise((r) => setTimeout(r, 2));
      return { type: "done" };
    });
    await Promise.all(Array.from({ length: 10 }, (_, n) => q.push("g", `i${n}`, n)));
    await waitUntil(() => got.length === 10);
    expect(got).toEqual(Array.from({ length: 10 }, (_, n) => n));
    expect(await q.queue.getJobCounts("waiting", "active", "completed", "delayed")).toEqual({
      waiting: 0,
      active: 0,
      completed: 0,
      delayed: 0,
    });
  });

  it("never takes back a lease that ran out while its handler still ran (the new holder may have sent already)", async () => {
    const leaseKey = `${prefix}lapse:{g}:lease`;
    const seenAfter: number[] = [];
    const q = queue<string>(
      "lapse",
      async (_g, _item, meta) => {
        // As if this process stalled past its lease: the lease is gone.
        await redis.del(leaseKey);
        // Two heartbeats (every 200 ms), and still before the claim runs out (600 ms after the
        // push) and a sweep hands the group to someone else.
        await new Promise((r) => setTimeout(r, 450));
        seenAfter.push(await redis.exists(leaseKey));
        expect(meta.fence.lease).toBe(leaseKey);
        return { type: "done" };
      },
      { leaseMs: 600, lockDurationMs: 600 },
    );
    await q.push("g", "1", "a");
    await waitUntil(() => seenAfter.length >= 1);
    expect(seenAfter[0]).toBe(0);
  });

  it("takes over work the version before claims left behind: an inbox, a dead holder's lease, a per-item job", async () => {
    // What that version left after a kill -9: the item in the inbox, the dead drainer's lease
    // still running, its job in BullMQ, and no claim (it kept none).
    const base = `${prefix}legacy:{g}`;
    const envelope = JSON.stringify({ id: "old-1", attempts: 0, item: "left behind" });
    await redis
      .multi()
      .set(`${base}:seen:old-1`, "1", "EX", 600)
      .rpush(`${base}:inbox`, envelope)
      .sadd(`${base}:pending`, "old-1")
      .set(`${base}:lease`, "a-dead-drainer", "PX", 500)
      .exec();
    const got: string[] = [];
    const q = queue<string>(
      "legacy",
      async (_g, item) => {
        got.push(item);
        return { type: "done" };
      },
      { leaseMs: 600, lockDurationMs: 600 },
    );
    await q.queue.add("item", { group: "g", itemId: "old-1" }, { jobId: "g|old-1" });
    // The job meets the live lease and completes; the group must not be stranded by that.
    await waitUntil(() => got.length === 1, 10_000);
    expect(got).toEqual(["left behind"]);
    await idle(q);
  });

  it("retries the head item after the asked delay and keeps the order behind it", async () => {
    const got: string[] = [];
    const q = queue<string>("retry", async (_g, item, meta) => {
      if (item === "a" && meta.attempts < 2)
        return { type: "retry", afterMs: 50, reason: "try later" };
      got.push(`${item}@${meta.attempts}`);
      return { type: "done" };
    });
    await q.push("g", "1", "a");
    await q.push("g", "2", "b");
    await waitUntil(() => got.length === 2);
    expect(got).toEqual(["a@2", "b@0"]);
  });

  it("loses nothing when a drainer dies mid-item: another worker picks the group up", async () => {
    const got: string[] = [];
    let stuck = 0;
    const dying = queue<string>(
      "crash",
      async () => {
        stuck += 1;
        return new Promise<ItemOutcome>(() => {}); // never finishes, like a killed process
      },
      { lockDurationMs: 1000, leaseMs: 1000 },
    );
    await dying.push("g", "1", "a");
    await dying.push("g", "2", "b");
    await waitUntil(() => stuck === 1);
    await dying.close(true);
    open.splice(open.indexOf(dying as OrderedQueue<unknown>), 1);
    queue<string>(
      "crash",
      async (_g, item) => {
        got.push(item);
        return { type: "done" };
      },
      { lockDurationMs: 1000, leaseMs: 1000 },
    );
    await waitUntil(() => got.length === 2);
    expect(got).toEqual(["a", "b"]);
  });
  it("never leaves an item waiting out the lease when it arrives as a drainer hands over", async () => {
    const waited: string[] = [];
    let late: Promise<unknown> | undefined;
    const q: OrderedQueue<number> = new OrderedQueue<number>({
      name: "handover",
      connection: redis,
      prefix,
      leaseMs: 5_000,
      lockDurationMs: 5_000,
      handler: async (_g, pushedAt, meta) => {
        waited.push(`${meta.itemId}:${Date.now() - pushedAt}`);
        return { type: "done" };
      },
      // The worst moment: the drainer is about to acknowledge what it thinks is its last item.
      beforeAck: async () => {
        if (late) return;
        late = q.push("g", "late", Date.now());
        await late;
        await new Promise((r) => setTimeout(r, 300)); // its job meets the lease still held, and sleeps
      },
    });
    open.push(q as OrderedQueue<unknown>);
    await q.push("g", "first", Date.now());
    await waitUntil(() => waited.length === 2, 15_000);
    const lateWait = Number(waited.find((w) => w.startsWith("late:"))!.split(":")[1]);
    // Served at once, not after the 5 s lease ran out.
    expect(lateWait).toBeLessThan(2_500);
  });
});
