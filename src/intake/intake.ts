// Durable intake: an adapter records each inbound event here and only then acknowledges the
// platform. Events are deduplicated by idempotency key and processed in order per
// conversation (in parallel across conversations, with any number of replicas).
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { isFrontlineError } from "../core/errors.ts";
import type { InboundEvent, OutboundMessage } from "../core/types.ts";
import type { Engine, RepliesWithCommit } from "../engine/engine.ts";
import type { TurnResult } from "../engine/turn.ts";
import type { Outbox } from "../outbox/outbox.ts";
import type {
  Backlog,
  ItemMeta,
  ItemOutcome,
  PushExtras,
  PushResult,
} from "../queue/ordered-queue.ts";
import { PartitionedQueue } from "../queue/partitioned-queue.ts";
import { Partitions } from "../queue/partitions.ts";
import { DeadLetters } from "./dead-letters.ts";
import { FloodGuard, type FloodLimit } from "./flood.ts";
import { ReplicaWait, type WaitReplicas } from "./replicated.ts";

/** After-commit work for a turn (the desk opens tickets and relays); must be idempotent: it
 * runs again for the same event after a crash. */
export type AfterTurn = (event: InboundEvent, result: TurnResult) => Promise<void>;

export interface IntakeOptions {
  connection: Redis;
  prefix: string;
  /** QUEUE_PARTITIONS (the conversation store and the outbox must use the same). */
  partitions?: Partitions;
  engine: Engine;
  outbox: Outbox;
  afterTurn?: AfterTurn[];
  /** The runtime's own notices to a customer, in their locale: a message that could not be
   * processed (dead-lettered), or messages coming faster than the flood limit. */
  notice: (
    event: InboundEvent,
    kind: "somethingWentWrong" | "slowDown",
  ) => Promise<OutboundMessage>;
  /** Per-customer message rate; beyond it messages are coalesced (see flood.ts). */
  floodLimit?: FloodLimit;
  /** A job a dead process held was taken over here (metrics). */
  onTakeover?: (queue: string) => void;
  /** Told about every dead-lettered event (metrics, alerts). */
  onDeadLetter?: (event: InboundEvent, reason: string) => void;
  logger?: Logger;
  concurrency?: number;
  lockDurationMs?: number;
  leaseMs?: number;
  /** Acknowledge only what this many replicas have (REDIS_WAIT_REPLICAS; see replicated.ts). */
  waitReplicas?: WaitReplicas;
}

/** After this many failed attempts an event is set aside (dead-lettered) so its conversation moves on. */
const MAX_ATTEMPTS = 30; // with the back-off below: about four minutes of trying

/** A reply's stable outbox id: the same for every run of the event's turn. */
function replyId(event: InboundEvent, index: number): string {
  return `${event.idempotencyKey}:${index}`;
}

function recordInto(
  queue: PartitionedQueue<InboundEvent>,
  event: InboundEvent,
  extras?: PushExtras,
): Promise<PushResult> {
  return queue.push(event.conversationKey, event.idempotencyKey, event, extras);
}

/**
 * Puts a dead-lettered event back into the intake (after its cause was fixed), for whichever
 * running process drains it; true if the entry was there. Used by `frontline deadletters replay`.
 */
export async function replayDeadLetter(
  redis: Redis,
  prefix: string,
  id: string,
  partitions = new Partitions(prefix),
): Promise<boolean> {
  const letters = new DeadLetters(redis, prefix);
  const entry = await letters.get(id);
  if (!entry) return false;
  const queue = new PartitionedQueue<InboundEvent>({
    name: INTAKE_QUEUE,
    connection: redis,
    prefix,
    partitions,
    consume: false,
    handler: async () => ({ type: "done" }),
  });
  try {
    // A new idempotency key: the original one is remembered as done and would be dropped.
    await recordInto(queue, {
      ...entry.event,
      idempotencyKey: `${entry.event.idempotencyKey}:replay`,
    });
  } finally {
    await queue.close();
  }
  await letters.take(id);
  return true;
}

const INTAKE_QUEUE = "intake";

export class Intake {
  private readonly queue: PartitionedQueue<InboundEvent>;
  readonly deadLetters: DeadLetters;
  private readonly flood: FloodGuard;
  private readonly partitions: Partitions;
  /** With REDIS_WAIT_REPLICAS: the records' own connection, queue and WAIT (absent at 0: no cost). */
  private readonly replicated:
    | { queue: PartitionedQueue<InboundEvent>; wait: ReplicaWait }
    | undefined;

  constructor(private readonly options: IntakeOptions) {
    this.partitions = options.partitions ?? new Partitions(options.prefix);
    this.deadLetters = new DeadLetters(options.connection, options.prefix);
    this.flood = new FloodGuard(options.connection, this.partitions, options.floodLimit);
    this.queue = new PartitionedQueue<InboundEvent>({
      name: INTAKE_QUEUE,
      connection: options.connection,
      prefix: options.prefix,
      partitions: this.partitions,
      logger: options.logger,
      concurrency: options.concurrency ?? 64,
      lockDurationMs: options.lockDurationMs,
      leaseMs: options.leaseMs,
      handler: (_conversation, event, meta) => this.process(event, meta),
      onTakeover: () => options.onTakeover?.("intake"),
    });
    const wait = options.waitReplicas;
    if (wait && wait.replicas > 0) {
      const connection = options.connection.duplicate();
      connection.on("error", () => {});
      this.replicated = {
        // Only records go through it: the worker above drains what it writes.
        queue: new PartitionedQueue<InboundEvent>({
          name: INTAKE_QUEUE,
          connection,
          prefix: options.prefix,
          partitions: this.partitions,
          logger: options.logger,
          consume: false,
          handler: async () => ({ type: "done" }),
        }),
        wait: new ReplicaWait(connection, { ...wait, fenceKey: `${options.prefix}intake:fence` }),
      };
    }
  }

  /** Resolves once the event is durably recorded (with REDIS_WAIT_REPLICAS: on that many
   * replicas too): then, and only then, acknowledge the platform. */
  record(event: InboundEvent): Promise<PushResult> {
    // A customer who writes to us can be written to again (they unblocked the bot); not for a
    // redelivery of something older. With partitions the mark is in the chat lane's slot, not
    // necessarily the conversation's, so it is deleted by a command of its own.
    const unreachable = event.address?.channel
      ? this.options.outbox.unreachableKey(event.address)
      : undefined;
    const joined = this.partitions.count === 1;
    const extras: PushExtras = {
      // The turn's first read, taken with the claim when this process drains it at once (the
      // state is in the conversation's partition, as its inbox is).
      readWhenClaimed: this.options.engine.snapshotRead(event.conversationKey),
      ...(unreachable && joined ? { deleteWhenAdded: unreachable } : {}),
    };
    const replicated = this.replicated;
    const recorded = replicated
      ? replicated.wait.after(() => recordInto(replicated.queue, event, extras))
      : recordInto(this.queue, event, extras);
    if (joined || !unreachable) return recorded;
    return recorded.then(async (result) => {
      // Also for a pending duplicate: the platform sends an update again when the first record
      // failed before this DEL, and the mark must not outlive the message that clears it.
      if (result !== "duplicate-done") await this.options.connection.del(unreachable);
      return result;
    });
  }

  private async process(
    event: InboundEvent,
    { attempts, fresh, readWithClaim }: ItemMeta,
  ): Promise<ItemOutcome> {
    const log = this.options.logger?.child({
      channel: event.address?.channel,
      conversation: event.conversationKey,
      event: event.idempotencyKey,
    });
    try {
      // Idempotent: a replay after a crash returns the committed result, and the outbox drops
      // message ids it already has, so nothing is answered twice.
      // The gate remembers its verdict per event: a re-run gets the same one.
      const verdict = await this.flood.check(event);
      if (verdict.type === "coalesced") {
        // Re-recorded from inside: no platform waits on it, so no WAIT either.
        if (verdict.flush) await recordInto(this.queue, verdict.flush);
        if (verdict.notify)
          await this.options.outbox.enqueue(
            `${event.idempotencyKey}:slow`,
            event.address,
            await this.options.notice(event, "slowDown"),
          );
        return { type: "done" };
      }
      // Fresh (never run before) and not merged from kept messages: nothing was stored for it.
      const unmerged = verdict.merged === 0;
      // With partitions a chat's outbox lane may be in another slot than its conversation, so
      // the replies are recorded after the commit, as a replayed turn's are.
      const withCommit = this.partitions.count === 1;
      const result = await this.options.engine.handle(verdict.event, {
        fresh: fresh && unmerged,
        ...(unmerged && readWithClaim ? { snapshot: readWithClaim } : {}),
        ...(withCommit ? { replies: this.repliesOf(event) } : {}),
      });
      // A turn committed now recorded its replies with the commit; a replayed one (a crash
      // after the commit, a redelivery) records them again, dropped by id if they are there.
      if (result.replayed || !withCommit)
        for (const [i, message] of result.messages.entries())
          await this.options.outbox.enqueue(replyId(event, i), event.address, message);
      for (const after of this.options.afterTurn ?? []) await after(verdict.event, result);
      if (verdict.merged > 0) await this.flood.consumed(event);
      return { type: "done" };
    } catch (err) {
      if (isFrontlineError(err, "FL_ERR_INPUT") || attempts + 1 >= MAX_ATTEMPTS) {
        await this.deadLetter(event, err);
        log?.error(
          { err, attempts },
          "event could not be processed; moved to the dead-letter list",
        );
        return { type: "done" };
      }
      log?.warn({ err, attempts }, "event processing failed; retrying");
      return {
        type: "retry",
        afterMs: Math.min(10_000, 100 * 2 ** attempts),
        reason: (err as Error)?.message ?? "error",
      };
    }
  }

  /** The outbox records of a turn's replies, for the engine to write with the commit. */
  private repliesOf(event: InboundEvent): RepliesWithCommit {
    const outbox = this.options.outbox;
    return {
      prepare: (result) =>
        outbox.prepare(
          result.messages.map((message, i) => ({
            id: replyId(event, i),
            address: event.address,
            message,
          })),
        ),
      settle: (prepared, codes) => outbox.settlePrepared(prepared, codes),
    };
  }

  /**
   * Sets an event aside where a person reads it (`frontline deadletters`), tells the customer
   * honestly that something went wrong, and tells the listeners. Safe to run again.
   */
  private async deadLetter(event: InboundEvent, err: unknown): Promise<void> {
    const reason = (err as Error)?.message ?? String(err);
    await this.deadLetters.add(event, reason);
    const notice = await this.options.notice(event, "somethingWentWrong").catch(() => null);
    if (notice && event.address?.channel)
      await this.options.outbox.enqueue(`${event.idempotencyKey}:failed`, event.address, notice);
    this.options.onDeadLetter?.(event, reason);
  }

  /** Conversations with unfinished work, and the age of the oldest such work (metrics). */
  backlog(): Promise<Backlog> {
    return this.queue.backlog();
  }

  /** The BullMQ queues behind the intake, one per partition (for dashboards). */
  get bullQueues() {
    return this.queue.queues;
  }

  async close(force = false): Promise<void> {
    await this.queue.close(force);
    if (this.replicated) {
      await this.replicated.queue.close();
      this.replicated.wait.connection.disconnect();
    }
  }
}
