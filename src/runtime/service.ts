// Wiring for a running bot: Redis → flows → engine → outbox → intake → channel adapters;
// and an orderly stop. Channel-agnostic: adapters come in through the ChannelAdapter port.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Channel, InboundEvent } from "../core/types.ts";
import { Desk } from "../desk/desk.ts";
import type { AgentEvent, AgentWorkspace } from "../desk/workspace.ts";
import { Engine } from "../engine/engine.ts";
import type { IntentRouter } from "../engine/router.ts";
import { ConversationStore } from "../engine/store.ts";
import type { FlowSet } from "../flows/flowset.ts";
import { Intake, type Interceptor, type TurnListener } from "../intake/intake.ts";
import { Outbox, type OutboxOptions } from "../outbox/outbox.ts";

export interface ChannelAdapter {
  readonly channel: Channel;
  /** Where agents work, when this channel hosts the agent desk. */
  readonly workspace?: AgentWorkspace;
  /** Starts taking updates; `record` (and `recordAgent`) resolve once an event is durable. */
  start(
    record: (event: InboundEvent) => Promise<unknown>,
    flows: FlowSet,
    recordAgent?: (event: AgentEvent) => Promise<unknown>,
  ): Promise<{ port?: number }>;
  /** Stops taking updates (recorded ones stay queued). */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  redis: Redis;
  prefix: string;
  flows: FlowSet;
  adapters: ChannelAdapter[];
  logger?: Logger;
  recoveryMs?: number;
  router?: IntentRouter;
  listeners?: TurnListener[];
  interceptors?: Interceptor[];
  onSent?: OutboxOptions["onSent"];
  concurrency?: { intake?: number; outbox?: number };
}

export class Service {
  readonly engine: Engine;
  readonly outbox: Outbox;
  readonly intake: Intake;
  readonly desk: Desk | undefined;
  ports: (number | undefined)[] = [];

  constructor(private readonly options: ServiceOptions) {
    const { redis, prefix, logger } = options;
    const lease = { lockDurationMs: options.recoveryMs, leaseMs: options.recoveryMs };
    const conversations = new ConversationStore(redis, { prefix });
    this.engine = new Engine({
      flows: options.flows,
      store: conversations,
      logger,
      router: options.router,
    });
    this.outbox = new Outbox({
      connection: redis,
      prefix,
      channels: options.adapters.map((a) => a.channel),
      logger,
      onSent: options.onSent,
      // Agents see at once when a customer blocked the bot or the chat is gone.
      onUnreachable: (address, reason) => {
        this.desk
          ?.customerUnreachable(address, reason)
          .catch((err) =>
            logger?.error({ err }, "could not tell agents about an unreachable customer"),
          );
      },
      concurrency: options.concurrency?.outbox,
      ...lease,
    });
    const workspace = options.adapters.find((a) => a.workspace)?.workspace;
    const deskConfig = options.flows.bot.desk;
    if (workspace && !deskConfig)
      logger?.warn(
        "an agent chat is set but frontline.yaml has no desk: section; escalations are not handed to agents",
      );
    this.desk =
      workspace && deskConfig
        ? new Desk({
            redis,
            prefix,
            bot: options.flows.bot,
            config: deskConfig,
            outbox: this.outbox,
            conversations,
            workspace,
            logger,
            recoveryMs: options.recoveryMs,
          })
        : undefined;
    const listeners = [...(options.listeners ?? []), ...(this.desk ? [this.desk] : [])];
    const interceptors = [
      ...(this.desk ? [(e: InboundEvent) => this.desk!.intercept(e)] : []),
      ...(options.interceptors ?? []),
    ];
    this.intake = new Intake({
      connection: redis,
      prefix,
      engine: this.engine,
      outbox: this.outbox,
      listeners,
      interceptors,
      logger,
      concurrency: options.concurrency?.intake,
      ...lease,
    });
  }

  async start(): Promise<void> {
    for (const adapter of this.options.adapters) {
      const recordAgent = this.desk
        ? (event: AgentEvent) => this.desk!.recordAgentEvent(event)
        : undefined;
      const { port } = await adapter.start(
        (event) => this.intake.record(event),
        this.options.flows,
        recordAgent,
      );
      this.ports.push(port);
    }
  }

  /**
   * Stops taking updates, then lets in-flight work finish for up to `graceMs`; whatever is
   * still running after that is left in Redis for another replica (or the next start).
   */
  async stop(graceMs = 5_000): Promise<void> {
    await Promise.all(this.options.adapters.map((a) => a.stop()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), graceMs);
    });
    const closed = await Promise.race([
      Promise.all([this.intake.close(), this.outbox.close(), this.desk?.close()]),
      timeout,
    ]);
    clearTimeout(timer);
    if (closed === "timeout") {
      this.options.logger?.warn(
        { graceMs },
        "in-flight work did not finish in time; it stays queued for the next worker",
      );
      await Promise.all([this.intake.close(true), this.outbox.close(true), this.desk?.close(true)]);
    }
  }
}
