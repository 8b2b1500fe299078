// Redis Cluster on real servers: three primaries started by the test and joined with
// `redis-cli --cluster create`. The real binary connects through an ioredis Cluster client,
// refuses a key prefix that would split its scripts across slots, and keeps its promises
// there: a kill -9 in the middle of a burst loses nothing and answers nothing twice.
import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { type BotProcess, spawnBot } from "../support/bot-process.ts";
import { answered, languageBurst, withoutOneRepeat } from "../support/language-burst.ts";
import { startCluster, type TestCluster } from "../support/redis-cluster.ts";

let cluster: TestCluster | undefined;
let fake: FakeTelegram | undefined;
const bots: BotProcess[] = [];

afterEach(async () => {
  for (const b of bots.splice(0)) {
    b.child.kill("SIGKILL");
    await b.exited;
  }
  await fake?.close();
  fake = undefined;
  await cluster?.stop();
  cluster = undefined;
});

/** The real binary, run to its end (the fake Bot API lives in this process, so not spawnSync). */
function frontline(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["bin/frontline.mjs", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, out })),
  );
}

async function until(check: () => boolean, ms: number, what: string, more = () => "") {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}\n${more()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Keys on each primary (SCAN sees one node). */
async function keysPerNode(c: TestCluster): Promise<number[]> {
  return Promise.all(
    c.nodes.map(async (n) => {
      const r = new Redis({ port: n.port, host: "127.0.0.1" });
      try {
        return await r.dbsize();
      } finally {
        r.disconnect();
      }
    }),
  );
}

// Nothing may quietly fall back to a single Redis: REDIS_URL names a port where none listens.
const NO_SINGLE_REDIS = { REDIS_URL: "redis://127.0.0.1:1" };

describe("Redis Cluster", () => {
  it("doctor sees the cluster; start refuses a prefix without a hash tag and nodes that do not answer, in one sentence", async () => {
    cluster = await startCluster(3);
    fake = await FakeTelegram.start();
    const base = {
      ...NO_SINGLE_REDIS,
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      REDIS_CLUSTER_NODES: cluster.list,
    };
    const doctor = await frontline(["doctor"], { ...base, REDIS_PREFIX: "{flc}:" });
    expect(doctor.out).toMatch(
      /✓ Redis: REDIS_CLUSTER_NODES=127\.0\.0\.1:\d+,.* answers \(Redis [\d.]+, maxmemory-policy noeviction, a cluster of 3 primaries\)/,
    );
    const untagged = await frontline(["start"], { ...base, REDIS_PREFIX: "fl:" });
    expect(untagged.code).toBe(1);
    expect(untagged.out).toMatch(
      /REDIS_PREFIX must carry a hash tag on a Redis Cluster, e.g. \{fl\}:/,
    );
    const gone = await frontline(["start"], {
      ...base,
      REDIS_PREFIX: "{flc}:",
      REDIS_CLUSTER_NODES: "127.0.0.1:1",
    });
    expect(gone.code).toBe(1);
    expect(gone.out.trim().split("\n")).toHaveLength(1);
    expect(gone.out).toMatch(/no Redis Cluster answers at REDIS_CLUSTER_NODES=127\.0\.0\.1:1 /);
  }, 60_000);

  /** A burst from 20 chats, the bot killed mid-burst and started again: every message is
   * answered, in order, at most one repeat per chat (a send in flight at the kill). */
  async function killMidBurst(env: Record<string, string>): Promise<void> {
    const f = fake!;
    const first = spawnBot(env);
    bots.push(first);
    const traffic = languageBurst(f, 20);
    traffic.send(0, 8);
    const sends = () => f.calls.filter((c) => c.method === "sendMessage" && c.ok).length;
    await until(() => sends() >= 50, 60_000, "the first answers", first.output);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(sends()).toBeLessThan(160); // the kill really came mid-burst

    const second = spawnBot(env);
    bots.push(second);
    await until(
      () => traffic.users.every((u) => withoutOneRepeat(answered(f, u.id)).seq.length >= 8),
      60_000,
      "every answer after the restart",
      second.output,
    );
    await new Promise((r) => setTimeout(r, 1_000)); // anything extra would show up now
    let repeats = 0;
    for (const u of traffic.users) {
      const got = withoutOneRepeat(answered(f, u.id));
      repeats += got.repeats;
      expect(got.seq, `chat ${u.id}`).toEqual(traffic.expected.get(u.id));
    }
    // Only a send in flight at the instant of the kill may repeat: at most one per chat.
    expect(repeats).toBeLessThanOrEqual(traffic.users.length);
  }

  const clusterEnv = (c: TestCluster, f: FakeTelegram) => ({
    ...NO_SINGLE_REDIS,
    TELEGRAM_BOT_TOKEN: f.token,
    TELEGRAM_API_ROOT: f.apiRoot,
    REDIS_CLUSTER_NODES: c.list,
    REDIS_PREFIX: "{flc}:",
  });

  it("kill -9 of the bot mid-burst on a 3-primary cluster: each message answered exactly once, in order", async () => {
    cluster = await startCluster(3);
    fake = await FakeTelegram.start();
    await killMidBurst(clusterEnv(cluster, fake));
    // It all lives in the cluster, in the one slot of the prefix's hash tag.
    const keys = await keysPerNode(cluster);
    expect(keys.filter((n) => n > 0)).toHaveLength(1);
  }, 120_000);

  it("QUEUE_PARTITIONS=6 spreads one bot over all three primaries and keeps the same promises; another count on that data is refused", async () => {
    cluster = await startCluster(3);
    fake = await FakeTelegram.start();
    const env = { ...clusterEnv(cluster, fake), QUEUE_PARTITIONS: "6" };
    await killMidBurst(env);
    // Each partition's tag ({flc:p0} … {flc:p5}) is a slot of its own: every primary holds
    // chats' conversations, inboxes and lanes, not just one.
    const keys = await keysPerNode(cluster);
    expect(
      keys.filter((n) => n > 20),
      `keys per primary: ${keys.join(", ")}`,
    ).toHaveLength(3);

    for (const b of bots.splice(0)) {
      b.child.kill("SIGKILL");
      await b.exited;
    }
    const changed = await frontline(["start"], { ...env, QUEUE_PARTITIONS: "1" });
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(
      /QUEUE_PARTITIONS is 1, but the data under REDIS_PREFIX=\{flc\}: is laid out for 6; set QUEUE_PARTITIONS=6 again/,
    );
  }, 150_000);
});
