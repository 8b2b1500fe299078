import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundEvent, InboundMessage } from "../../src/core/types.ts";
import { Engine, type RepliesWithCommit } from "../../src/engine/engine.ts";
import { IntentRouter } from "../../src/engine/router.ts";
import { ConversationStore } from "../../src/engine/store.ts";
import type { FlowSet } from "../../src/flows/flowset.ts";
import { loadFlows } from "../../src/flows/load.ts";
import { OrderedQueue } from "../../src/queue/ordered-queue.ts";
import { writeFlowFixture } from "../support/flow-fixture.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

let redis: Redis;
let flows: FlowSet;
let router: IntentRouter;
const prefix = testPrefix("engine");

beforeAll(() => {
  redis = connectTestRedis();
  const loaded = loadFlows(writeFlowFixture());
  if (!loaded.ok) throw new Error("fixture flows invalid");
  flows = loaded.flowSet;
  router = new IntentRouter(flows);
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  await redis.quit();
});

function newEngine(set: FlowSet = flows, handover = true): Engine {
  return new Engine({
    flows: set,
    store: new ConversationStore(redis, { prefix }),
    router: set === flows ? router : undefined,
    handover,
  });
}

/** A customer on the terminal channel; every call is a new platform delivery. */
function customer(locale = "en") {
  const id = randomUUID().slice(0, 8);
  let n = 0;
  const base = () => ({
    idempotencyKey: `test:${id}:${++n}`,
    conversationKey: `test:${id}`,
    address: { channel: "test", chatId: id },
    user: { id, name: "Alex", locale },
    at: Date.now(),
  });
  return {
    key: `test:${id}`,
    says: (text: string): InboundMessage => ({ ...base(), type: "message", text }),
    presses: (payload: string): InboundEvent => ({ ...base(), type: "button", payload }),
    commands: (command: string, args = ""): InboundEvent => ({
      ...base(),
      type: "command",
      command,
      args,
    }),
  };
}

const texts = (r: { messages: { text: string }[] }) => r.messages.map((m) => m.text).join("\n");

describe("engine: a customer with an order question", () => {
  it("matches free text to a flow, validates the answer, and resolves", async () => {
    const engine = newEngine();
    const alex = customer();
    const first = await engine.handle(alex.says("where is my order??"));
    expect(first.flow).toBe("order");
    expect(first.step).toBe("number");
    expect(first.confidence).toBeGreaterThan(router.threshold);
    expect(texts(first)).toContain("Your order number?");

    const wrong = await engine.handle(alex.says("I don't know"));
    expect(texts(wrong)).toContain("Order numbers look like AB-1234.");
    expect(wrong.step).toBe("number");

    const right = await engine.handle(alex.says("ab-1234"));
    expect(texts(right)).toContain("Order AB-1234 ships tomorrow.");
    expect(right.ended).toBe("resolved");
    expect(right.mode).toBe("bot");
  });

  it("hands over after too many rejected answers, then relays to the person", async () => {
    const engine = newEngine();
    const alex = customer();
    await engine.handle(alex.says("where is my order"));
    await engine.handle(alex.says("no idea"));
    const handed = await engine.handle(alex.says("still no idea"));
    expect(handed.escalation).toMatchObject({
      skill: "orders",
      priority: "high",
      flowId: "order",
      locale: "en",
    });
    expect(handed.escalation?.tried).toContain("order");
    expect(texts(handed)).toContain("A person will help.");
    expect(handed.mode).toBe("agent");

    const relayed = await engine.handle(alex.says("hello? anyone"));
    expect(relayed.forAgent).toEqual({ text: "hello? anyone" });
    expect(texts(relayed)).toBe("Passed to the person.");
    const quiet = await engine.handle(alex.says("it's urgent"));
    expect(quiet.forAgent?.text).toBe("it's urgent");
    expect(quiet.messages).toEqual([]);
    expect((await engine.handle(alex.commands("human"))).escalation).toBeUndefined();
  });

  it("presses buttons by payload, by label and by number", async () => {
    const engine = newEngine();
    const alex = customer();
    const menu = await engine.handle(alex.commands("start"));
    const buttons = menu.messages.at(-1)?.buttons ?? [];
    expect(buttons.map((b) => b.label)).toEqual(["Order status", "A person"]);
    expect((await engine.handle(alex.presses(buttons[0]!.payload))).step).toBe("number");
    await engine.handle(alex.commands("menu"));
    expect((await engine.handle(alex.says("order status"))).step).toBe("number");
    await engine.handle(alex.commands("menu"));
    expect((await engine.handle(alex.says("2"))).escalation?.skill).toBe("general");
  });

  it("answers a stale or forged button politely and shows the menu", async () => {
    const engine = newEngine();
    const alex = customer();
    for (const payload of ["gone:step:0", "hello:menu:9", "", "x".repeat(5000)]) {
      const r = await engine.handle(alex.presses(payload));
      expect(texts(r)).toContain("That button is out of date.");
      expect(r.step).toBe("menu");
    }
  });
});

describe("engine: delivery guarantees", () => {
  it("after the full result expires, a late redelivery is still dropped, and only a small marker stays", async () => {
    const store = new ConversationStore(redis, { prefix, resultTtlSeconds: 1 });
    const engine = new Engine({ flows, store, router, handover: true });
    const alex = customer();
    const event = alex.says("where is my order");
    await engine.handle(event);
    const full = store.doneKey(alex.key, event.idempotencyKey);
    expect(await redis.ttl(full)).toBeLessThanOrEqual(1);
    await redis.del(full); // what the 1 s TTL does
    const late = await engine.handle(event);
    expect(late).toMatchObject({ replayed: true, messages: [] });
    expect((await store.load(alex.key))?.turns).toBe(1);
    const kept = await redis.keys(`${prefix}{conv:${alex.key}}:*`);
    const bytes = await Promise.all(
      kept.filter((k) => !k.endsWith(":state")).map((k) => redis.memory("USAGE", k)),
    );
    expect(bytes).toHaveLength(1);
    expect(Number(bytes[0])).toBeLessThan(300);
  });

  it("answers a redelivered event once: the stored result comes back, state moves once", async () => {
    const engine = newEngine();
    const alex = customer();
    const event = alex.says("where is my order");
    const first = await engine.handle(event);
    const again = await engine.handle(event);
    expect(again.replayed).toBe(true);
    expect(again.messages).toEqual(first.messages);
    const store = new ConversationStore(redis, { prefix });
    expect((await store.load(alex.key))?.turns).toBe(1);
  });

  it("a wrong 'fresh' hint (a stalled holder running an event again) still answers once", async () => {
    const engine = newEngine();
    const alex = customer();
    const event = alex.says("where is my order");
    const first = await engine.handle(event, { fresh: true });
    expect(first.replayed).toBe(false);
    // The hint skips the read of the stored result; the commit finds it and returns it.
    const again = await engine.handle(event, { fresh: true });
    expect(again.replayed).toBe(true);
    expect(again.messages).toEqual(first.messages);
    expect((await new ConversationStore(redis, { prefix }).load(alex.key))?.turns).toBe(1);
  });

  it("a stale snapshot (the state changed after the record read it) costs a retry, never a lost turn", async () => {
    const engine = newEngine();
    const alex = customer();
    const store = new ConversationStore(redis, { prefix });
    const read = engine.snapshotRead(alex.key);
    const before = await redis.hmget(read.key, ...read.fields);
    await engine.handle(alex.says("where is my order"));
    // The snapshot from before that turn: version 0, no state.
    const late = await engine.handle(alex.says("hello"), { fresh: true, snapshot: before });
    expect(late.replayed).toBe(false);
    expect((await store.load(alex.key))?.turns).toBe(2);
  });

  it("records a turn's replies with its commit: a turn that lost its compare-and-set recorded none", async () => {
    const engine = newEngine();
    const alex = customer();
    // Only records (like a replica past its own limit): every push hands its lane over by job.
    const lanes = new OrderedQueue<string>({
      name: "replies",
      connection: redis,
      prefix,
      consume: false,
      handler: async () => ({ type: "done" }),
    });
    const prepared: { codes: number[] | null; ids: string[] }[] = [];
    const replies: RepliesWithCommit = {
      prepare: (result) =>
        result.messages.map((m, i) =>
          lanes.prepare(alex.key, `${result.idempotencyKey}:${i}`, m.text),
        ),
      settle: async (pushes, codes) => {
        prepared.push({ codes, ids: pushes.map((p) => p.itemId) });
        if (!codes) for (const p of pushes) lanes.abandon(p);
        else await Promise.all(pushes.map((p, i) => lanes.settle(p, codes[i]!)));
      },
    };
    const read = engine.snapshotRead(alex.key);
    const before = await redis.hmget(read.key, ...read.fields);
    await engine.handle(alex.says("where is my order"));
    const result = await engine.handle(alex.says("hello"), {
      fresh: true,
      snapshot: before,
      replies,
    });
    try {
      // The stale snapshot lost the first attempt: its replies were never recorded; the second
      // attempt's were, once, with the turn.
      // One activation of the lane: the first reply hands it over by job, the rest queue behind.
      expect(prepared.map((p) => p.codes)).toEqual([
        null,
        result.messages.map((_, i) => (i === 0 ? 4 : 1)),
      ]);
      const inbox = await redis.lrange(`${prefix}replies:{${alex.key}}:inbox`, 0, -1);
      expect(inbox.map((raw) => JSON.parse(raw).id)).toEqual(prepared[1]!.ids);
      expect(await lanes.queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
    } finally {
      await lanes.close();
    }
  });

  it("two engines on one Redis share a conversation without losing a turn", async () => {
    const a = newEngine();
    const b = newEngine();
    const alex = customer();
    const events = Array.from({ length: 30 }, (_, i) =>
      alex.says(i % 2 ? "hello" : "where is my order"),
    );
    const results = await Promise.all(events.map((e, i) => (i % 2 ? a : b).handle(e)));
    expect(results.every((r) => !r.replayed)).toBe(true);
    const state = await new ConversationStore(redis, { prefix }).load(alex.key);
    expect(state?.turns).toBe(30);
    // Replays from the other instance return the stored results.
    const replays = await Promise.all(events.map((e, i) => (i % 2 ? b : a).handle(e)));
    expect(replays.every((r) => r.replayed)).toBe(true);
    expect((await new ConversationStore(redis, { prefix }).load(alex.key))?.turns).toBe(30);
  });
});

describe("engine: bad input never crashes", () => {
  it("handles empty, huge, emoji-only and binary-looking messages", async () => {
    const engine = newEngine();
    const alex = customer();
    expect(texts(await engine.handle(alex.says("   ")))).toBe("Your message was empty.");
    const huge = await engine.handle(alex.says("where is my order ".repeat(6000)));
    expect(huge.messages.length).toBeGreaterThan(0);
    const emoji = await engine.handle(customer().says("🙂🙂🙂"));
    expect(emoji.flow).toBe("hello");
    expect(texts(emoji)).toContain("I'm not sure I understood.");
    const binary = await engine.handle(customer().says("\u0000\u0001\uFFFD\u0007ÿþ\u0000garbage"));
    expect(binary.messages.length).toBeGreaterThan(0);
  });

  it("tells the customer honestly that it cannot read media", async () => {
    const engine = newEngine();
    const alex = customer();
    const r = await engine.handle({
      ...alex.says(""),
      attachments: [{ channel: "test", kind: "photo", ref: "f1" }],
    });
    expect(texts(r)).toContain("I can't read files.");
    const captioned = await engine.handle({
      ...alex.says("where is my order"),
      attachments: [{ channel: "test", kind: "photo", ref: "f2" }],
    });
    expect(texts(captioned)).toContain("I can't read files.");
    expect(captioned.step).toBe("number");
  });

  it("refuses a malformed event with a named error and writes nothing", async () => {
    const engine = newEngine();
    const bad = { ...customer().says("hi"), conversationKey: "" };
    await expect(engine.handle(bad)).rejects.toMatchObject({ code: "FL_ERR_INPUT" });
  });

  it("cuts a goto loop the validator never saw and falls back", async () => {
    const loaded = loadFlows(writeFlowFixture());
    if (!loaded.ok) throw new Error("fixture invalid");
    const order = loaded.flowSet.flows.get("order")!;
    order.steps.set("number", { id: "number", goto: "answer" });
    order.steps.set("answer", { id: "answer", goto: "number" });
    const engine = newEngine(loaded.flowSet);
    const r = await engine.handle(customer().says("where is my order"));
    expect(texts(r)).toContain("I'm not sure I understood.");
    expect(r.step).toBe("menu");
  });
});

describe("engine: languages", () => {
  it("speaks the customer's language from the text, and switches on request", async () => {
    const engine = newEngine();
    const ivan = customer("en");
    const r = await engine.handle(ivan.says("где мой заказ"));
    expect(r.locale).toBe("ru");
    expect(texts(r)).toContain("Номер заказа?");
    const switched = await engine.handle(ivan.commands("language", "en"));
    expect(switched.locale).toBe("en");
    expect(texts(switched)).toContain("I'll speak English.");
    expect(texts(switched)).toContain("Your order number?");
    const chooser = await engine.handle(ivan.commands("language"));
    expect(chooser.messages[0]?.buttons?.map((b) => b.payload)).toEqual(["lang:en", "lang:ru"]);
  });
});

describe("engine: the debugger's view of a turn", () => {
  it("with debug on, a turn carries the top three intents with scores and the variables", async () => {
    const engine = new Engine({
      flows,
      store: new ConversationStore(redis, { prefix }),
      router,
      handover: true,
      debug: true,
    });
    const alex = customer();
    const first = await engine.handle(alex.says("where is my order??"));
    expect(first.debug?.intents.length).toBeGreaterThan(0);
    expect(first.debug?.intents.length).toBeLessThanOrEqual(3);
    expect(first.debug?.intents[0]).toEqual({ intent: "order", confidence: first.confidence });
    const answered = await engine.handle(alex.says("ab-1234"));
    expect(Object.values(answered.debug?.vars ?? {})).toContain("AB-1234");
  });

  it("without debug, nothing extra is stored with a turn", async () => {
    const result = await newEngine().handle(customer().says("where is my order??"));
    expect(result.debug).toBeUndefined();
  });
});
