// Fails fast, with one clear message, when the Redis the tests need does not answer.
import { Redis } from "ioredis";

export default async function setup(): Promise<void> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `The tests need Redis at ${url} and it does not answer (${(err as Error).message}). ` +
        "Start one with `redis-server --daemonize yes`, or set REDIS_URL, or run `bash .ci/run`.",
    );
  } finally {
    redis.disconnect();
  }
}
