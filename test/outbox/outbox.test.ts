import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Channel } from "../../src/core/channel.ts";
import { DeliveryError } from "../../src/core/errors.ts";
import type { Address, OutboundMessage, RateLimit } from "../../src/core/types.ts";
import { Outbox } from "../../src/outbox/outbox.ts";
import { splitText } from "../../src/outbox/split.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

let redis: Redis;
const prefix = testPrefix("outbox");
const open: Outbox[] = [];

beforeAll(() => {
  redis = connectTestRedis();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close(true)));
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  await redis.quit();
});

/** A channel whose behaviour per send is scripted by the test. */
class ScriptedChannel implements Channel {
  readonly name = `scripted-${randomUUID().slice(0, 6)}`;
  readonly limits = {
    textLength: 50,
    buttons: 10,
    payloadBytes: 64,
    titleLength: 100,
    uploadBytes: 1_000_000,
  };
  globalLimit: RateLimit = { burst: 1000, perSecond: 1000 };
  chatLimit: RateLimit = { burst: 1000, perSecond: 1000 };
  sent: { chatId: string; text: string; at: number }[] = [];
  failures: ((address: Address, message: OutboundMessage) => Error | undefined)[] = [];
  laneOf(address: Address): string {
    return address.chatId;
  }
  limitFor(): RateLimit {
    return this.chatLimit;
  }
  async send(address: Address, message: OutboundMessage) {
    for (const f of this.failures) {
      const err = f(address, message);
      if (err) throw err;
    }
    this.sent.push({ chatId: address.chatId, text: message.text, at: Date.now() });
    return { messageId: String(this.sent.length) };
  }
  address(chatId: string): Address {
    return { channel: this.name, chatId };
  }
  texts(chatId: string) {
    return this.sent.filter((s) => s.chatId === chatId).map((s) => s.text);
  }
}

function outbox(channel: Channel, extra: Partial<ConstructorParameters<typeof Outbox>[0]> = {}) {
  const o = new Outbox({
    connection: redis,
    prefix,
    channels: [channel],
    lockDurationMs: 2000,
    leaseMs: 2000,
    ...extra,
  });
  open.push(o);
  return o;
}

async function eventually(check: () => boolean, ms = 15_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("outbox", () => {
  it("keeps order per chat through flaky 5xx/network failures and drops nothing", async () => {
    const channel = new ScriptedChannel();
    let n = 0;
    channel.failures.push(() => (++n % 3 === 0 ? new Error("socket hang up") : undefined));
    const o = outbox(channel);
    for (let chat = 0; chat < 5; chat++) {
      for (let i = 0; i < 6; i++)
        await o.enqueue(`c${chat}-m${i}`, channel.address(`c${chat}`), { text: `m${i}` });
    }
    await eventually(() => channel.sent.length === 30, 30_000);
    for (let chat = 0; chat < 5; chat++)
      expect(channel.texts(`c${chat}`)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
  });

  it("waits retry_after on 429 and then delivers in order", async () => {
    const channel = new ScriptedChannel();
    let storm = 3;
    channel.failures.push(() =>
      storm-- > 0 ? new DeliveryError("rate_limited", "429 Too Many Requests", 100) : undefined,
    );
    const o = outbox(channel);
    for (let i = 0; i < 4; i++) await o.enqueue(`m${i}`, channel.address("c"), { text: `m${i}` });
    await eventually(() => channel.sent.length === 4);
    expect(channel.texts("c")).toEqual(["m0", "m1", "m2", "m3"]);
  });

  it("stops sending to a chat that blocked the bot, and says so once", async () => {
    const channel = new ScriptedChannel();
    channel.failures.push((a) =>
      a.chatId === "blocked"
        ? new DeliveryError("unreachable", "403 Forbidden: bot was blocked by the user")
        : undefined,
    );
    const unreachable: string[] = [];
    const o = outbox(channel, {
      onUnreachable: (a, reason) => unreachable.push(`${a.chatId}: ${reason}`),
    });
    await o.enqueue("b1", channel.address("blocked"), { text: "one" });
    await o.enqueue("b2", channel.address("blocked"), { text: "two" });
    await o.enqueue("ok", channel.address("fine"), { text: "hello" });
    await eventually(() => channel.sent.length === 1 && unreachable.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(unreachable).toEqual(["blocked: 403 Forbidden: bot was blocked by the user"]);
    expect(await o.unreachableReason(channel.address("blocked"))).toMatch(/blocked/);
    expect(await o.unreachableReason(channel.address("fine"))).toBeNull();
  });

  it("never sends a message id twice", async () => {
    const channel = new ScriptedChannel();
    const o = outbox(channel);
    await o.enqueue("same", channel.address("c"), { text: "once" });
    await eventually(() => channel.sent.length === 1);
    await o.enqueue("same", channel.address("c"), { text: "once" });
    await new Promise((r) => setTimeout(r, 200));
    expect(channel.sent.length).toBe(1);
  });

  it("splits long text into ordered parts within the channel's limit", async () => {
    const channel = new ScriptedChannel();
    const o = outbox(channel);
    const text =
      "First paragraph is here.\n\nSecond one is a bit longer than that. And more words follow it here.";
    await o.enqueue("long", channel.address("c"), {
      text,
      buttons: [{ label: "OK", payload: "ok" }],
    });
    await eventually(() => channel.sent.length >= 3);
    const parts = channel.texts("c");
    expect(parts.every((p) => p.length <= 50)).toBe(true);
    expect(parts.join(" ").replace(/\s+/g, " ")).toBe(text.replace(/\s+/g, " "));
  });

  it("paces a chat to its rate limit", async () => {
    const channel = new ScriptedChannel();
    channel.chatLimit = { burst: 2, perSecond: 10 };
    const o = outbox(channel);
    for (let i = 0; i < 6; i++) await o.enqueue(`p${i}`, channel.address("c"), { text: `p${i}` });
    await eventually(() => channel.sent.length === 6);
    const gaps = channel.sent.slice(2).map((s, i) => s.at - channel.sent[i + 1]!.at);
    // After the burst of 2, sends are spaced by the refill (100 ms), with scheduling slack.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(60);
  });
});

describe("splitText", () => {
  it("cuts at paragraph, line, sentence, then word boundaries and never splits an emoji", () => {
    expect(splitText("short", 4096)).toEqual(["short"]);
    const parts = splitText(`${"a".repeat(30)}\n\n${"b".repeat(30)}`, 40);
    expect(parts).toEqual(["a".repeat(30), "b".repeat(30)]);
    const emoji = "😀".repeat(30);
    const emojiParts = splitText(emoji, 16);
    expect(emojiParts.join("")).toBe(emoji);
    expect(emojiParts.every((p) => !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
    const words = splitText("word ".repeat(20).trim(), 16);
    expect(words.every((p) => p.length <= 16 && !p.startsWith(" "))).toBe(true);
    expect(words.join(" ")).toBe("word ".repeat(20).trim());
  });
});
