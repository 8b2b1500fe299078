// Connects to Redis; for local runs with no Redis it starts a private redis-server when one
// is installed, and otherwise explains in one paragraph how to get one.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { FrontlineError } from "../core/errors.ts";

export interface RedisHandle {
  redis: Redis;
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

async function tryConnect(url: string): Promise<Redis | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

/** A connection for long-running use (BullMQ needs maxRetriesPerRequest: null). Connection
 * errors surface through the commands that fail (and the health probe), not as a stray
 * "unhandled error event" on stderr. */
function durableConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
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

export async function connectRedis(
  url: string,
  options: { allowPrivateServer?: boolean } = {},
): Promise<RedisHandle> {
  const probe = await tryConnect(url);
  if (probe) {
    try {
      await checkDatabase(probe, url);
    } finally {
      probe.disconnect();
    }
    const redis = durableConnection(url);
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
    if (ready) {
      ready.disconnect();
      const redis = durableConnection(privateUrl);
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

/** Deletes every key under a prefix with SCAN (never KEYS on a shared server). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}
