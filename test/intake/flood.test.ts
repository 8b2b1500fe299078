// Flood control on real Redis: the gate's verdict is remembered per event, so a re-run (a
// retry, a crash) neither counts a message twice nor merges or drops kept messages twice.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/core/types.ts";
import { FloodGuard } from "../../src/intake/flood.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

let redis: Redis;
const prefix = testPrefix("flood");

beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  await redis.quit();
});

let n = 0;
function customer() {
  const id = `c${++n}`;
  let i = 0;
  return (text: string): InboundMessage => ({
    type: "message",
    text,
    idempotencyKey: `${id}:${++i}`,
    conversationKey: `flood:${id}`,
    address: { channel: "test", chatId: id },
    user: { id },
    at: Date.now(),
  });
}

describe("flood control", () => {
  it("keeps messages beyond the burst, schedules one flush, and answers them together once", async () => {
    const guard = new FloodGuard(redis, prefix, { burst: 2, perMinute: 1 });
    const says = customer();
    const [a, b, c, d] = ["a", "b", "c", "d"].map((t) => says(t));
    expect((await guard.check(a!)).type).toBe("pass");
    expect((await guard.check(b!)).type).toBe("pass");
    const kept = await guard.check(c!);
    expect(kept).toMatchObject({ type: "coalesced", notify: true });
    const flush = kept.type === "coalesced" ? kept.flush : null;
    expect(flush?.idempotencyKey).toBe(`${c!.idempotencyKey}:flush`);
    // The same event again (a retry after a crash): the same verdict, nothing kept twice.
    expect(await guard.check(c!)).toMatchObject({ type: "coalesced", notify: true });
    const more = await guard.check(d!);
    expect(more).toMatchObject({ type: "coalesced", notify: false, flush: null });

    const merged = await guard.check(flush!);
    expect(merged).toMatchObject({ type: "pass", merged: 2, event: { text: "c\nd" } });
    expect(await guard.check(flush!)).toMatchObject({ merged: 2, event: { text: "c\nd" } });
    await guard.consumed(flush!);
    await guard.consumed(flush!); // consumed once, however often it is said
    expect(await redis.llen(`${prefix}flood:{${c!.conversationKey}}:kept`)).toBe(0);
  });

  it("a message within the limit carries the kept ones; the later flush has nothing left", async () => {
    const guard = new FloodGuard(redis, prefix, { burst: 1, perMinute: 6000 });
    const says = customer();
    const first = says("one");
    expect((await guard.check(first)).type).toBe("pass");
    const kept = await guard.check(says("two"));
    expect(kept.type).toBe("coalesced");
    await new Promise((r) => setTimeout(r, 30)); // a token refills (100 a second)
    const next = says("three");
    const carried = await guard.check(next);
    expect(carried).toMatchObject({ type: "pass", merged: 1, event: { text: "two\nthree" } });
    await guard.consumed(next);
    const flush = kept.type === "coalesced" ? kept.flush! : first;
    expect(await guard.check(flush)).toMatchObject({ type: "coalesced", flush: null });
  });

  it("buttons and commands are never held back", async () => {
    const guard = new FloodGuard(redis, prefix, { burst: 1, perMinute: 1 });
    const says = customer();
    await guard.check(says("x"));
    const press = { ...says("y"), type: "button" as const, payload: "p" };
    expect((await guard.check(press)).type).toBe("pass");
  });
});
