// Coalesced writes on a real Redis connection: the commands of one event-loop turn leave in
// one socket write, replies come back unchanged and in order, and a reconnect keeps it so.
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { coalesceWrites } from "../../src/runtime/write-coalescing.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

const prefix = testPrefix("write-coalescing");
const connections: Redis[] = [];

function connect(): Redis {
  const redis = connectTestRedis();
  connections.push(redis);
  return redis;
}

afterAll(async () => {
  await dropPrefix(connections[0] ?? connect(), prefix);
  await Promise.all(connections.map((r) => r.quit()));
});

type CountedSocket = { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };

/** Counts the socket's writes (each one a system call) from now on. */
function countWrites(redis: Redis): { count: () => number } {
  const stream = (redis as unknown as { stream: CountedSocket }).stream;
  let writes = 0;
  const single = stream._write.bind(stream);
  const vector = stream._writev.bind(stream);
  stream._write = (...args) => {
    writes += 1;
    single(...args);
  };
  stream._writev = (...args) => {
    writes += 1;
    vector(...args);
  };
  return { count: () => writes };
}

/** 40 commands, each issued from its own microtask (as concurrent drains issue theirs). */
async function spreadOverMicrotasks(redis: Redis, tag: string): Promise<string[]> {
  const replies: Promise<string | null>[] = [];
  for (let i = 0; i < 40; i++) {
    await Promise.resolve();
    replies.push(
      redis.set(`${prefix}${tag}:${i}`, String(i)).then(() => redis.get(`${prefix}${tag}:${i}`)),
    );
  }
  return (await Promise.all(replies)) as string[];
}

describe("coalesced Redis writes", () => {
  it("sends the commands of one turn in one write, with the same replies in order", async () => {
    const plain = connect();
    await plain.ping();
    const plainWrites = countWrites(plain);
    const plainReplies = await spreadOverMicrotasks(plain, "plain");

    const coalesced = coalesceWrites(connect());
    await coalesced.ping();
    const coalescedWrites = countWrites(coalesced);
    const coalescedReplies = await spreadOverMicrotasks(coalesced, "coalesced");

    const expected = Array.from({ length: 40 }, (_, i) => String(i));
    expect(plainReplies).toEqual(expected);
    expect(coalescedReplies).toEqual(expected);
    // Without coalescing the 40 SETs go out in several writes; with it, the SETs leave in one
    // and the GETs (issued as the SET replies arrive) in a few more.
    expect(plainWrites.count()).toBeGreaterThan(10);
    expect(coalescedWrites.count()).toBeLessThanOrEqual(5);
  });

  it("applies again to the new socket after a reconnect, and only once per connection", async () => {
    const redis = coalesceWrites(connect());
    coalesceWrites(redis);
    await redis.ping();
    const reconnected = new Promise((resolve) => redis.once("ready", resolve));
    (redis as unknown as { stream: { destroy(): void } }).stream.destroy();
    await reconnected;
    const writes = countWrites(redis);
    const replies = await spreadOverMicrotasks(redis, "again");
    expect(replies).toHaveLength(40);
    expect(writes.count()).toBeLessThanOrEqual(5);
  });
});
