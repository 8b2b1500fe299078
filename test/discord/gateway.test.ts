// The gateway's stand-in for an acknowledgement: the stored sequence moves only past events
// that are recorded, even when later events finish first; and a lease decides which process
// holds the gateway. Real @discordjs/ws against the fake Discord, real Redis.
import { REST } from "@discordjs/rest";
import type { GatewayDispatchPayload } from "discord-api-types/v10";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DISCORD_INTENTS } from "../../adapters/discord/adapter.ts";
import { Gateway } from "../../adapters/discord/gateway.ts";
import { GatewayStore } from "../../adapters/discord/gateway-store.ts";
import { FakeDiscord } from "../fakes/discord/index.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

let redis: Redis;
let fake: FakeDiscord;
const prefix = testPrefix("dc-gateway");
const gateways: Gateway[] = [];

beforeAll(() => {
  redis = connectTestRedis();
});
afterEach(async () => {
  for (const g of gateways.splice(0)) await g.stop();
  await fake?.close();
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  await redis.quit();
});

async function until<T>(get: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function gatewayWith(
  store: GatewayStore,
  onMessage: (content: string, seq: number) => Promise<void>,
  onNewSession: () => Promise<void> = async () => {},
): Gateway {
  const rest = new REST({ api: fake.apiBase, version: "10" }).setToken(fake.token);
  const gateway = new Gateway({
    token: fake.token,
    rest,
    intents: DISCORD_INTENTS,
    store,
    leaseMs: 1_000,
    onDispatch: async (_shard, event: GatewayDispatchPayload) => {
      if (event.t === "MESSAGE_CREATE") await onMessage(event.d.content, event.s);
    },
    onNewSession,
    onState: () => {},
  });
  gateways.push(gateway);
  return gateway;
}

describe("the Discord gateway holder", () => {
  it("stores the sequence only up to the oldest event not yet recorded", async () => {
    fake = await FakeDiscord.start();
    const store = new GatewayStore(redis, `${prefix}a:`);
    let release!: () => void;
    const slowRecord = new Promise<void>((r) => {
      release = r;
    });
    const seqs = new Map<string, number>();
    const done = new Set<string>();
    const gateway = gatewayWith(store, async (content, seq) => {
      seqs.set(content, seq);
      if (content === "slow") await slowRecord;
      done.add(content);
    });
    await gateway.start();
    const user = fake.addUser({ username: "maria" });
    fake.userSendsDM(user.id, "first");
    await until(() => done.has("first"), "the first record");
    fake.userSendsDM(user.id, "slow");
    // Another customer's message finishes while the slow one is still being recorded.
    const other = fake.addUser({ username: "olek" });
    fake.userSendsDM(other.id, "after");
    await until(() => done.has("after"), "the later record");
    await new Promise((r) => setTimeout(r, 200));
    expect((await store.load(0))?.sequence).toBe(seqs.get("first"));

    release();
    await until(() => done.has("slow"), "the slow record");
    await new Promise((r) => setTimeout(r, 200));
    expect((await store.load(0))?.sequence).toBe(seqs.get("after"));
  });

  it("one process holds a shard; when it stops renewing, another takes it and resumes", async () => {
    fake = await FakeDiscord.start();
    const store = new GatewayStore(redis, `${prefix}b:`);
    const seen: string[][] = [[], []];
    const a = gatewayWith(store, async (c) => {
      seen[0]!.push(c);
    });
    const b = gatewayWith(store, async (c) => {
      seen[1]!.push(c);
    });
    await a.start();
    await b.start();
    expect(a.holding).toEqual([0]);
    expect(b.holding).toEqual([]);
    expect(fake.gateway.identifies).toBe(1);
    const user = fake.addUser({ username: "maria" });
    fake.userSendsDM(user.id, "one");
    await until(() => seen[0]!.includes("one"), "the holder's event");

    await a.stop(); // leaves the session stored and the lease released
    gateways.splice(gateways.indexOf(a), 1);
    fake.userSendsDM(user.id, "two");
    await until(() => b.holding.length === 1, "the standby taking the shard", 5_000);
    await until(() => seen[1]!.includes("two"), "the event written during the hand-over");
    expect(fake.gateway.resumes.accepted).toBe(1);
    expect(seen[1]).not.toContain("one");
  });

  it("a backfill its holder did not finish is finished by the next holder, even though its resume succeeds", async () => {
    fake = await FakeDiscord.start();
    const store = new GatewayStore(redis, `${prefix}c:`);
    const a = gatewayWith(
      store,
      async () => {},
      () => new Promise<void>(() => {}), // dies (stops) before its backfill ends
    );
    await a.start();
    expect((await store.load(0))?.backfillPending).toBe(true);
    await a.stop();
    gateways.splice(gateways.indexOf(a), 1);

    let backfills = 0;
    const b = gatewayWith(
      store,
      async () => {},
      async () => {
        backfills += 1;
      },
    );
    await b.start();
    expect(fake.gateway.resumes.accepted).toBe(1);
    await until(() => backfills === 1, "the backfill finished by the new holder");
    const started = Date.now();
    while ((await store.load(0))?.backfillPending && Date.now() - started < 5_000)
      await new Promise((r) => setTimeout(r, 20));
    expect((await store.load(0))?.backfillPending).toBe(false);
  });
});
