// Durable intake: an adapter records each inbound event here and only then acknowledges the
// platform. Events are deduplicated by idempotency key and processed in order per
// conversation (in parallel across conversations, with any number of replicas).
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { isFrontlineError } from "../core/errors.ts";
import type { InboundEvent, OutboundMessage } from "../core/types.ts";
import type { Engine } from "../engine/engine.ts";
import type { TurnResult } from "../engine/turn.ts";
import type { Outbox } from "../outbox/outbox.ts";
import { type ItemOutcome, OrderedQueue, type PushResult } from "../queue/ordered-queue.ts";

/** What happens after the bot's own answer: the desk takes escalations and relayed messages. */
export interface TurnListener {
  onTurn(event: InboundEvent, result: TurnResult): Promise<void>;
}

/**
 * Runs before the engine; returns the messages to send when it handled the event itself
 * (the desk takes ratings, /status, and messages that reopen a ticket), or null to pass on.
 * Must be idempotent: after a crash it runs again for the same event.
 */
export type Interceptor = (event: InboundEvent) => Promise<OutboundMessage[] | null>;

export interface IntakeOptions {
  interceptors?: Interceptor[];
  connection: Redis;
  prefix: string;
  engine: Engine;
  outbox: Outbox;
  listeners?: TurnListener[];
  logger?: Logger;
  concurrency?: number;
  lockDurationMs?: number;
  leaseMs?: number;
}

/** After this many failed attempts an event is set aside (dead-lettered) so its conversation moves on. */
const MAX_ATTEMPTS = 30; // with the back-off below: about four minutes of trying

export class Intake {
  private readonly queue: OrderedQueue<InboundEvent>;

  constructor(private readonly options: IntakeOptions) {
    this.queue = new OrderedQueue<InboundEvent>({
      name: "intake",
      connection: options.connection,
      prefix: options.prefix,
      logger: options.logger,
      concurrency: options.concurrency ?? 64,
      lockDurationMs: options.lockDurationMs,
      leaseMs: options.leaseMs,
      handler: (_conversation, event, meta) => this.process(event, meta.attempts),
    });
  }

  /** Resolves once the event is durably recorded: then, and only then, acknowledge the platform. */
  record(event: InboundEvent): Promise<PushResult> {
    return this.queue.push(event.conversationKey, event.idempotencyKey, event);
  }

  private async process(event: InboundEvent, attempts: number): Promise<ItemOutcome> {
    const log = this.options.logger?.child({
      conversation: event.conversationKey,
      event: event.idempotencyKey,
    });
    try {
      // Idempotent: a replay after a crash returns the committed result, and the outbox drops
      // message ids it already has, so nothing is answered twice.
      // A customer who writes to us can be written to again (they unblocked the bot). Not
      // awaited: it travels ahead of this turn's replies on the same connection.
      this.options.outbox.markReachable(event.address).catch(() => {});
      for (const intercept of this.options.interceptors ?? []) {
        const handled = await intercept(event);
        if (!handled) continue;
        for (const [i, message] of handled.entries())
          await this.options.outbox.enqueue(
            `${event.idempotencyKey}:x${i}`,
            event.address,
            message,
          );
        return { type: "done" };
      }
      const result = await this.options.engine.handle(event);
      for (const [i, message] of result.messages.entries()) {
        await this.options.outbox.enqueue(`${event.idempotencyKey}:${i}`, event.address, message);
      }
      for (const listener of this.options.listeners ?? []) await listener.onTurn(event, result);
      return { type: "done" };
    } catch (err) {
      if (isFrontlineError(err, "FL_ERR_INPUT")) {
        log?.error({ err }, "malformed event dropped");
        return { type: "drop", reason: (err as Error).message };
      }
      if (attempts + 1 >= MAX_ATTEMPTS) {
        await this.deadLetter(event, err);
        log?.error({ err, attempts }, "event failed too often; moved to the dead-letter list");
        return { type: "drop", reason: "dead-lettered" };
      }
      log?.warn({ err, attempts }, "event processing failed; retrying");
      return {
        type: "retry",
        afterMs: Math.min(10_000, 100 * 2 ** attempts),
        reason: (err as Error)?.message ?? "error",
      };
    }
  }

  private async deadLetter(event: InboundEvent, err: unknown): Promise<void> {
    const entry = JSON.stringify({
      at: Date.now(),
      error: (err as Error)?.message ?? String(err),
      event,
    });
    await this.options.connection
      .multi()
      .lpush(`${this.options.prefix}intake:dead`, entry)
      .ltrim(`${this.options.prefix}intake:dead`, 0, 9_999)
      .exec();
  }

  close(force = false): Promise<void> {
    return this.queue.close(force);
  }
}
