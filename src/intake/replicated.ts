// REDIS_WAIT_REPLICAS: the platform is acknowledged only once that many replicas have the
// record. Redis replicates asynchronously, so a primary that dies can take with it what it had
// confirmed a moment before; WAIT makes the acknowledgement wait for the replicas instead.
//
// - A connection of its own: WAIT blocks the connection it is sent on until the replicas answer
//   or the timeout passes, and it covers only that connection's writes. On the shared
//   connection it would hold up every lease renewal and job fetch queued behind it.
// - A fence write before each WAIT: WAIT waits for the offset of the connection's last write,
//   and a redelivered update writes nothing (it is a duplicate) although its first record may
//   never have reached a replica. One small write makes the WAIT cover all the primary had.
// - No reconnect between the write and WAIT's answer: after one (a failover) WAIT would count
//   the replicas of another primary, which may never have had the write. Such a record fails.
// - Records that finish while a WAIT is out share the next one (one WAIT covers every earlier
//   write), so concurrent records cost one replica round trip per batch, not one each.
import type { Redis } from "ioredis";
import { FrontlineError } from "../core/errors.ts";

export interface WaitReplicas {
  /** How many replicas must have a record before the platform is acknowledged (0: off). */
  replicas: number;
  /** How long WAIT may take; fewer replicas by then and the record counts as failed. */
  timeoutMs: number;
}

interface Waiter {
  life: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class ReplicaWait {
  /** Bumped whenever the connection closes: a record must start and end in one life. */
  private life = 0;
  private waiters: Waiter[] = [];
  private running = false;

  constructor(
    /** The connection the records are written on (and nothing else). */
    readonly connection: Redis,
    private readonly options: WaitReplicas & { fenceKey: string },
  ) {
    connection.on("close", () => {
      this.life += 1;
    });
  }

  /** Runs `write` on this connection and resolves once the replicas have it; throws
   * FL_ERR_NOT_RECORDED (do not acknowledge) when they do not within the timeout. */
  async after<T>(write: () => Promise<T>): Promise<T> {
    const life = this.life;
    const result = await write();
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ life, resolve, reject });
      if (!this.running) void this.drain();
    });
    return result;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiters.length > 0) {
      const batch = this.waiters.splice(0);
      const { replicas, timeoutMs, fenceKey } = this.options;
      let failure: Error | undefined;
      try {
        const replies = await this.connection
          .pipeline()
          .set(fenceKey, "1", "PX", 60_000)
          .wait(replicas, timeoutMs)
          .exec();
        const [fence, wait] = replies ?? [];
        const error = fence?.[0] ?? wait?.[0];
        if (error) throw error;
        const acknowledged = Number(wait?.[1] ?? 0);
        if (acknowledged < replicas)
          failure = notReplicated(
            `${acknowledged} of REDIS_WAIT_REPLICAS=${replicas} replicas had it within ${timeoutMs} ms`,
          );
      } catch (err) {
        failure = notReplicated((err as Error).message ?? String(err));
      }
      for (const w of batch) {
        if (failure) w.reject(failure);
        else if (w.life !== this.life)
          w.reject(notReplicated("the connection to the primary was lost before WAIT answered"));
        else w.resolve();
      }
    }
    this.running = false;
  }
}

function notReplicated(why: string): FrontlineError {
  return new FrontlineError(
    "FL_ERR_NOT_RECORDED",
    `an update was written but not replicated (${why}); it is not acknowledged, so the platform delivers it again`,
  );
}
