// One ordered queue per partition (partitions.ts), behind the OrderedQueue interface: each group
// goes to the partition its id hashes to, whose keys and BullMQ queue share one hash tag. With
// one partition it is exactly the OrderedQueue it wraps, under the same key names.
import type { Queue } from "bullmq";
import {
  type Backlog,
  OrderedQueue,
  type OrderedQueueOptions,
  type PreparedPush,
  type PushExtras,
  type PushResult,
} from "./ordered-queue.ts";
import { Partitions } from "./partitions.ts";

export class PartitionedQueue<T> {
  private readonly parts: OrderedQueue<T>[];
  readonly partitions: Partitions;

  constructor(options: OrderedQueueOptions<T> & { partitions?: Partitions }) {
    const { partitions = new Partitions(options.prefix), ...rest } = options;
    this.partitions = partitions;
    const n = partitions.count;
    // The process's concurrency is shared out, not multiplied by the number of partitions.
    const concurrency =
      options.concurrency === undefined
        ? undefined
        : Math.max(1, Math.ceil(options.concurrency / n));
    this.parts = partitions.prefixes().map(
      (prefix) =>
        new OrderedQueue<T>({
          ...rest,
          prefix,
          ...(concurrency === undefined ? {} : { concurrency }),
        }),
    );
  }

  /** The partition's queue that holds `group`. */
  of(group: string): OrderedQueue<T> {
    return this.parts[this.partitions.indexOf(group)]!;
  }

  push(group: string, itemId: string, item: T, extras?: PushExtras): Promise<PushResult> {
    return this.of(group).push(group, itemId, item, extras);
  }

  prepare(group: string, itemId: string, item: T): PreparedPush {
    return this.of(group).prepare(group, itemId, item);
  }

  settle(prepared: PreparedPush, code: number, read?: (string | null)[]): Promise<PushResult> {
    return this.of(prepared.group).settle(prepared, code, read);
  }

  abandon(prepared: PreparedPush): void {
    this.of(prepared.group).abandon(prepared);
  }

  /** All partitions together: groups with work, and the oldest work's age. */
  async backlog(): Promise<Backlog> {
    const each = await Promise.all(this.parts.map((p) => p.backlog()));
    const ages = each.map((b) => b.oldestMs).filter((ms): ms is number => ms !== null);
    return {
      groups: each.reduce((sum, b) => sum + b.groups, 0),
      oldestMs: ages.length > 0 ? Math.max(...ages) : null,
    };
  }

  /** The BullMQ queues behind the partitions (for dashboards). */
  get queues(): Queue[] {
    return this.parts.map((p) => p.queue);
  }

  async close(force = false): Promise<void> {
    await Promise.all(this.parts.map((p) => p.close(force)));
  }
}
