// Connects to Redis; for local runs with no Redis it starts a private redis-server when one
// is installed, and otherwise explains in one paragraph how to get one.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { FrontlineError } from "../core/errors.ts";
import { describeTarget, type RedisTarget, redisClient } from "./redis-target.ts";

export type { RedisTarget } from "./redis-target.ts";

export interface RedisHandle {
  redis: Redis;
  /** REDIS_URL, or the private server's address (with Sentinel: the URL whose credentials apply). */
  url: string;
  /** Quits the connection and stops the private server if we started one. */
  close(): Promise<void>;
  /** True when we started a private, throw-away redis-server for this run. */
  privateServer: boolean;
}

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export const NO_REDIS_HELP =
  "Frontline keeps conversations, tickets and queues in Redis (6.2 or newer), and none answered. " +
  "Install it and run it locally (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis && brew services start redis`), " +
  "or point REDIS_URL at one you have (e.g. REDIS_URL=redis://127.0.0.1:6379). " +
  "When nothing answers at the default address and redis-server is installed, `frontline chat` starts a private one by itself.";

/** One attempt, no retries: a connected client, or why not. */
async function tryConnect(target: string | RedisTarget): Promise<Redis | Error> {
  const redis = redisClient(typeof target === "string" ? { kind: "server", url: target } : target, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    // Sentinel: one pass over the list, then give up (the default retries for ever).
    sentinelRetryStrategy: () => null,
    connectTimeout: 2000,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    return err as Error;
  }
}

/** A connection for long-running use (BullMQ needs maxRetriesPerRequest: null). Connection
 * errors surface through the commands that fail (and the health probe), not as a stray
 * "unhandled error event" on stderr. */
function durableConnection(target: RedisTarget): Redis {
  const redis = redisClient(target, { maxRetriesPerRequest: null });
  redis.on("error", () => {});
  return redis;
}

/** The database REDIS_URL names must exist: ioredis would report a failed SELECT only as an
 * event and carry on in database 0, mixing this bot's data into another's. */
async function checkDatabase(probe: Redis, url: string): Promise<void> {
  const db = new URL(url).pathname.replace(/^\//, "");
  if (!db) return;
  try {
    await probe.select(Number(db));
  } catch (err) {
    throw new FrontlineError(
      "FL_ERR_CONFIG",
      `REDIS_URL=${url} selects database ${db}, which this Redis refuses (${(err as Error).message}); use a database it has, e.g. /0`,
    );
  }
}

/**
 * Connects to the configured Redis (a URL, or a Sentinel target from `redisTargetOf`), or fails
 * with one sentence that names the variable to fix.
 */
export async function connectRedis(
  target: string | RedisTarget,
  options: { allowPrivateServer?: boolean } = {},
): Promise<RedisHandle> {
  if (typeof target !== "string" && target.kind === "sentinel") return connectSentinel(target);
  if (typeof target !== "string" && target.kind === "cluster") return connectCluster(target);
  const url = typeof target === "string" ? target : target.url;
  const probe = await tryConnect(url);
  if (!(probe instanceof Error)) {
    try {
      await checkDatabase(probe, url);
    } finally {
      probe.disconnect();
    }
    const redis = durableConnection({ kind: "server", url });
    return {
      redis,
      url,
      privateServer: false,
      close: () => closeQuickly(redis),
    };
  }
  if (!options.allowPrivateServer)
    // A service: one sentence, naming the variable to fix.
    throw new FrontlineError(
      "FL_ERR_REDIS_UNAVAILABLE",
      `no Redis answers at REDIS_URL=${url}: start Redis there (Debian: apt-get install redis-server) or point REDIS_URL at yours`,
    );
  // Only the default address falls back to a private server: a REDIS_URL someone set on
  // purpose that does not answer is a mistake to report, not to paper over.
  if (url !== DEFAULT_REDIS_URL || !redisServerInstalled()) {
    throw new FrontlineError("FL_ERR_REDIS_UNAVAILABLE", `No Redis at ${url}. ${NO_REDIS_HELP}`);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "frontline-redis-"));
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--maxmemory-policy",
      "noeviction",
    ],
    { stdio: "ignore" },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const ready = await tryConnect(privateUrl);
    if (!(ready instanceof Error)) {
      ready.disconnect();
      const redis = durableConnection({ kind: "server", url: privateUrl });
      return {
        redis,
        url: privateUrl,
        privateServer: true,
        close: async () => {
          await closeQuickly(redis);
          child.kill("SIGTERM");
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new FrontlineError(
    "FL_ERR_REDIS_UNAVAILABLE",
    `No Redis at ${url}, and a private redis-server did not start. ${NO_REDIS_HELP}`,
  );
}

/**
 * Sentinel: the sentinels are asked first, so a failure says which part is missing — no
 * sentinel answers, none knows the name, or the primary they name does not answer.
 */
async function connectSentinel(
  target: Extract<RedisTarget, { kind: "sentinel" }>,
): Promise<RedisHandle> {
  const where = describeTarget(target);
  const answers = await Promise.all(target.sentinels.map((s) => askSentinel(s, target)));
  const named = answers.find((a): a is string[] => Array.isArray(a));
  if (!named) {
    const refused = answers.find((a): a is Error => a instanceof Error);
    if (refused && answers.every((a) => a instanceof Error))
      throw new FrontlineError(
        "FL_ERR_REDIS_UNAVAILABLE",
        `no sentinel answers at ${where} (${refused.message}): start them there or fix REDIS_SENTINELS${/NOAUTH|WRONGPASS|AUTH/i.test(refused.message) ? " and REDIS_SENTINEL_PASSWORD" : ""}`,
      );
    throw new FrontlineError(
      "FL_ERR_CONFIG",
      `the sentinels at ${where} monitor no primary named "${target.name}": set REDIS_SENTINEL_NAME to the name in their "sentinel monitor" line`,
    );
  }
  const probe = await tryConnect(target);
  if (probe instanceof Error)
    throw new FrontlineError(
      "FL_ERR_REDIS_UNAVAILABLE",
      `the sentinels at ${where} name ${named[0]}:${named[1]} as the primary "${target.name}", and it does not answer (${probe.message}): start it, or let the sentinels fail over`,
    );
  try {
    await checkDatabase(probe, target.url);
  } finally {
    probe.disconnect();
  }
  const redis = durableConnection(target);
  return { redis, url: target.url, privateServer: false, close: () => closeQuickly(redis) };
}

/** Cluster: some node answers, and the cluster says every slot is served. */
async function connectCluster(
  target: Extract<RedisTarget, { kind: "cluster" }>,
): Promise<RedisHandle> {
  const where = describeTarget(target);
  const probe = await tryConnect(target);
  if (probe instanceof Error)
    throw new FrontlineError(
      "FL_ERR_REDIS_UNAVAILABLE",
      `no Redis Cluster answers at ${where} (${probe.message}): start its nodes there or fix REDIS_CLUSTER_NODES`,
    );
  try {
    const state = /cluster_state:(\w+)/.exec(String(await probe.call("CLUSTER", "INFO")))?.[1];
    if (state !== "ok")
      throw new FrontlineError(
        "FL_ERR_REDIS_UNAVAILABLE",
        `the Redis Cluster at ${where} reports cluster_state:${state}: every slot needs a primary that answers`,
      );
  } finally {
    probe.disconnect();
  }
  const redis = durableConnection(target);
  return { redis, url: target.url, privateServer: false, close: () => closeQuickly(redis) };
}

/** One sentinel's idea of the primary's address, null when it knows no such name, or why it did not answer. */
async function askSentinel(
  sentinel: { host: string; port: number },
  target: Extract<RedisTarget, { kind: "sentinel" }>,
): Promise<string[] | null | Error> {
  const client = new Redis({
    ...sentinel,
    ...(target.sentinelPassword ? { password: target.sentinelPassword } : {}),
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  // The socket's own error (ECONNREFUSED…) says more than the "Connection is closed" that follows.
  let first: Error | undefined;
  client.on("error", (err) => {
    first ??= err;
  });
  try {
    await client.connect();
    const reply = await client.call("SENTINEL", "get-master-addr-by-name", target.name);
    return Array.isArray(reply) ? reply.map(String) : null;
  } catch (err) {
    return first ?? (err as Error);
  } finally {
    client.disconnect();
  }
}

/** QUIT, but never waiting on it for long: with Redis down, QUIT queues behind unanswered
 * commands and would keep a stopping process alive. */
async function closeQuickly(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.quit().catch(() => {}),
    new Promise<void>((r) => {
      timer = setTimeout(r, 1_000);
    }),
  ]);
  clearTimeout(timer);
  redis.disconnect();
}

function redisServerInstalled(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/** A free TCP port on loopback (for a private redis-server, and tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** The servers holding keys: the primaries of a Cluster (SCAN sees one node), else the one. */
export function keyServers(redis: Redis): Redis[] {
  const cluster = redis as Redis & { isCluster?: boolean; nodes?: (role: "master") => Redis[] };
  return cluster.isCluster && cluster.nodes ? cluster.nodes("master") : [redis];
}

/** Deletes every key under a prefix with SCAN (never KEYS on a shared server). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  for (const server of keyServers(redis)) {
    let cursor = "0";
    do {
      const [next, keys] = await server.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      // One by one on a Cluster's node: keys of different slots cannot share a DEL there.
      if (keys.length > 0)
        await (server === redis ? redis.del(...keys) : Promise.all(keys.map((k) => server.del(k))));
    } while (cursor !== "0");
  }
}
