import { afterAll, describe, expect, it } from "vitest";
import {
  claimPartitionLayout,
  Partitions,
  storedPartitionCount,
} from "../../src/queue/partitions.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

describe("Partitions: where a chat's keys live", () => {
  it("one partition is the prefix itself: today's key names, untouched", () => {
    const one = new Partitions("{fl}:");
    expect(one.prefixOf("tg:1:42")).toBe("{fl}:");
    expect(one.prefixes()).toEqual(["{fl}:"]);
  });

  it("partitions carry the prefix's hash tag with their number, so each is a slot of its own", () => {
    const six = new Partitions("{fl}:", 6);
    expect(six.prefixes()).toEqual([
      "{fl:p0}:",
      "{fl:p1}:",
      "{fl:p2}:",
      "{fl:p3}:",
      "{fl:p4}:",
      "{fl:p5}:",
    ]);
    expect(new Partitions("bot:{fl}:", 2).prefixAt(1)).toBe("bot:{fl:p1}:");
    // Without a tag (one Redis server) the number is simply part of the name.
    expect(new Partitions("fl:", 3).prefixAt(2)).toBe("fl:p2:");
  });

  it("a group always maps to the same partition, and many groups spread over all of them", () => {
    const four = new Partitions("{fl}:", 4);
    const counts = [0, 0, 0, 0];
    for (let chat = 0; chat < 4_000; chat++) {
      const group = `telegram:${100_000 + chat}`;
      expect(four.indexOf(group)).toBe(new Partitions("{fl}:", 4).indexOf(group));
      counts[four.indexOf(group)]! += 1;
    }
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });

  it("refuses a count that is not a whole number of at least one", () => {
    expect(() => new Partitions("fl:", 0)).toThrow(/whole number/);
    expect(() => new Partitions("fl:", 1.5)).toThrow(/whole number/);
  });
});

describe("the partition layout is fixed by the data", () => {
  const redis = connectTestRedis();
  const prefixes: string[] = [];
  const fresh = () => {
    const p = testPrefix("layout");
    prefixes.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of prefixes) await dropPrefix(redis, p);
    redis.disconnect();
  });

  it("a new prefix records the count; the same count starts again, another is refused in one sentence", async () => {
    const prefix = fresh();
    expect(await storedPartitionCount(redis, prefix)).toBeNull();
    await claimPartitionLayout(redis, prefix, 4);
    expect(await storedPartitionCount(redis, prefix)).toBe(4);
    await claimPartitionLayout(redis, prefix, 4);
    await expect(claimPartitionLayout(redis, prefix, 1)).rejects.toThrow(
      /^QUEUE_PARTITIONS is 1, but the data under REDIS_PREFIX=.* is laid out for 4; set QUEUE_PARTITIONS=4 again/,
    );
  });

  it("data from before partitions existed counts as one partition: an upgrade to 6 is refused", async () => {
    const prefix = fresh();
    await redis.zadd(`${prefix}chats:seen`, "1", "telegram:42"); // what a running bot leaves
    expect(await storedPartitionCount(redis, prefix)).toBe(1);
    await expect(claimPartitionLayout(redis, prefix, 6)).rejects.toThrow(/laid out for 1/);
    await claimPartitionLayout(redis, prefix, 1);
    expect(await redis.get(`${prefix}partitions`)).toBe("1");
  });
});
