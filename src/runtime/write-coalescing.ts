// Coalesces a Redis connection's socket writes: every command written in one turn of the event
// loop leaves in one writev, not one write system call each.
//
// Why: ioredis writes each command to the socket as it is issued. Under load a process has
// dozens of drains issuing their next command in the same turn, and a CPU profile of
// `npm run bench:telegram` put 15% of Frontline's process in those writes (about 27 µs each on
// loopback, each also waking Redis). ioredis's own `enableAutoPipelining` batches too, but
// builds a Pipeline per batch and gave no gain in the same bench; corking the socket until the
// turn's end (setImmediate) costs nothing per command and raised throughput 20–30% (see the
// README's Benchmarks). Order and replies are unchanged: the bytes are the same, only the
// number of system calls differs, and a command waits at most for the rest of the current turn.

import type { Duplex } from "node:stream";
import type { Cluster, Redis } from "ioredis";

const PATCHED = Symbol("frontline.coalescedWrites");

type Patchable = Duplex & { [PATCHED]?: true };

function coalesceStream(stream: Patchable | undefined): void {
  if (!stream || stream[PATCHED]) return;
  stream[PATCHED] = true;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const flush = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(flush);
    }
    return write(...args);
  }) as Duplex["write"];
}

/** Applies to the connection now and after every reconnect (each brings a new socket); for a
 * Cluster, to every node's connection. Safe to call more than once. */
export function coalesceWrites(redis: Redis): Redis {
  const client = redis as Redis & { [PATCHED]?: true; isCluster?: boolean };
  if (client[PATCHED]) return redis;
  client[PATCHED] = true;
  if (client.isCluster) {
    const cluster = redis as unknown as Cluster;
    for (const node of cluster.nodes()) coalesceWrites(node);
    cluster.on("+node", (node: Redis) => coalesceWrites(node));
    return redis;
  }
  const patch = () => coalesceStream((redis as unknown as { stream?: Patchable }).stream);
  redis.on("connect", patch);
  patch();
  return redis;
}
