// A Redis connection and a key prefix unique to one test file, so files never clash.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { deleteKeysWithPrefix } from "../../src/runtime/redis.ts";

export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
}

export function testPrefix(name: string): string {
  return `fltest:${name}:${randomUUID().slice(0, 8)}:`;
}

export function connectTestRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
}

/** Deletes every key under the prefix. */
export const dropPrefix = deleteKeysWithPrefix;

/** A redis-server of the test's own on a free loopback port (for pausing or stopping it). */
export async function startPrivateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { spawn } = await import("node:child_process");
  const { freePort } = await import("../../src/runtime/redis.ts");
  const port = await freePort();
  const server = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
  const exited = new Promise((r) => server.once("exit", r));
  return {
    url,
    stop: async () => {
      server.kill("SIGKILL");
      await exited;
    },
  };
}
