// Waiting for a Frontline instance to go idle between measurements: jobs that found their group
// busy wait as delayed jobs and run (as no-ops) up to a lease later; they must not run during
// the next measurement.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { Partitions } from "../src/queue/partitions.ts";

/**
 * Read-only views of the service's BullMQ queues (names and prefix as in src/queue; the desk's
 * lanes are "desk", its timers "desk-timers" hold delayed jobs by design and are left out).
 */
export function serviceQueues(
  redis: Redis,
  prefix: string,
  names = ["intake", "outbox"],
  partitions = 1,
) {
  // One BullMQ queue of each name per partition (QUEUE_PARTITIONS), under its prefix.
  const queues = new Partitions(prefix, partitions)
    .prefixes()
    .flatMap((at) =>
      names.map((name) => new Queue(name, { connection: redis, prefix: `${at}bull` })),
    );
  /** True once no job waits, runs or is delayed; false after `timeoutMs`. */
  const quiesce = async (timeoutMs = 15_000): Promise<boolean> => {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      let busy = 0;
      for (const q of queues) {
        const counts = await q.getJobCounts("waiting", "active", "delayed", "prioritized");
        busy += Object.values(counts).reduce((a, b) => a + b, 0);
      }
      if (busy === 0) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  const close = () => Promise.all(queues.map((q) => q.close().catch(() => {}))).then(() => {});
  return { quiesce, close };
}
