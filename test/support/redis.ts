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
