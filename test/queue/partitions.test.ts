import { describe, expect, it } from "vitest";
import { Partitions } from "../../src/queue/partitions.ts";

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
