// createFrontline(): the one public door. It builds the product from its parts — engine,
// outbox, intake, desk — around the adapters it is given, and offers the sink adapters feed,
// typed events, start/stop and health. The CLI, the mounts, the tests and the benches all
// build the product through here; platform code only ever arrives as a ChannelAdapter.
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type {
  AdapterContext,
  AdapterHealth,
  ChannelAdapter,
  CommandMenu,
  InboundSink,
} from "../core/adapter.ts";
import type { Channel } from "../core/channel.ts";
import { FrontlineError } from "../core/errors.ts";
import type { InboundEvent } from "../core/types.ts";
import type { AgentWorkspace } from "../core/workspace.ts";
import { AGENT_COMMAND_HELP, AGENT_COMMANDS } from "../desk/agent-commands.ts";
import { Desk } from "../desk/desk.ts";
import { Engine } from "../engine/engine.ts";
import type { TurnMiddleware } from "../engine/middleware.ts";
import { IntentRouter } from "../engine/router.ts";
import { ConversationStore } from "../engine/store.ts";
import type { TurnResult } from "../engine/turn.ts";
import type { FlowSet } from "../flows/flowset.ts";
import { systemMessage } from "../flows/system-messages.ts";
import { Intake } from "../intake/intake.ts";
import { Outbox, type OutboxItem } from "../outbox/outbox.ts";
import { claimPartitionLayout, Partitions } from "../queue/partitions.ts";
import { rememberChat } from "./chats.ts";
import type { FrontlineEvents } from "./events.ts";
import { loadFlowsOrThrow } from "./local.ts";
import { connectRedis, DEFAULT_REDIS_URL, type RedisHandle } from "./redis.ts";
import { coalesceWrites } from "./write-coalescing.ts";

export interface FrontlineOptions {
  redis: Redis;
  prefix: string;
  /** QUEUE_PARTITIONS: how many parts each chat's work is spread over (Redis Cluster). */
  partitions?: number;
  flows: FlowSet;
  adapters: ChannelAdapter[];
  /** Where agents work when several adapters offer a workspace (`AgentWorkspace.id` or its channel). */
  deskWorkspace?: string;
  /** Runs before the flows on every customer turn, after the desk's own. */
  middleware?: TurnMiddleware[];
  logger?: Logger;
  recoveryMs?: number;
  router?: IntentRouter;
  concurrency?: { intake?: number; outbox?: number };
  /** Every turn's result (and `turn` event) carries top intents and variables (the playground). */
  debugTurns?: boolean;
  /** A connection createFrontline opened itself: stop() closes it. */
  ownedRedis?: RedisHandle;
  /** Acknowledge a customer's update only once this many replicas have it (REDIS_WAIT_REPLICAS). */
  waitReplicas?: { replicas: number; timeoutMs: number };
  /**
   * Sends the commands of one event-loop turn in one socket write (default true; see
   * write-coalescing.ts). false leaves a connection the embedding application shares untouched.
   */
  coalesceRedisWrites?: boolean;
}

export interface FrontlineHealth {
  ok: boolean;
  redis: boolean;
  adapters: Record<string, AdapterHealth>;
  desk: "running" | "none";
}

export class Frontline extends EventEmitter<FrontlineEvents> {
  readonly engine: Engine;
  readonly outbox: Outbox;
  readonly intake: Intake;
  readonly desk: Desk | undefined;
  readonly conversations: ConversationStore;
  /** Where each chat's keys live (QUEUE_PARTITIONS). */
  readonly partitions: Partitions;
  /** Where adapters hand what arrives; each call resolves once the event is durable. */
  readonly sink: InboundSink;
  private started = false;

  constructor(private readonly options: FrontlineOptions) {
    super();
    // One write per event-loop turn instead of one per command (write-coalescing.ts says why).
    if (options.coalesceRedisWrites !== false) coalesceWrites(options.redis);
    this.partitions = new Partitions(options.prefix, options.partitions ?? 1);
    this.conversations = new ConversationStore(options.redis, {
      prefix: options.prefix,
      partitions: this.partitions,
    });
    this.outbox = this.buildOutbox();
    const router = options.router ?? new IntentRouter(options.flows);
    this.desk = this.buildDesk(router);
    this.engine = new Engine({
      flows: options.flows,
      store: this.conversations,
      logger: options.logger,
      router,
      middleware: [...(this.desk ? [this.desk.middleware] : []), ...(options.middleware ?? [])],
      // A person is promised only when a desk runs (and start() refuses a desk that fails its preflight).
      handover: this.desk !== undefined,
      debug: options.debugTurns,
    });
    this.intake = this.buildIntake();
    this.sink = {
      customer: async (event) => {
        await this.intake.record(event);
      },
      agent: async (event) => {
        await this.desk?.recordAgentEvent(event);
      },
      chatSeen: (chat) => rememberChat(this.options.redis, this.options.prefix, chat),
    };
  }

  private get lease() {
    return { lockDurationMs: this.options.recoveryMs, leaseMs: this.options.recoveryMs };
  }

  private buildOutbox(): Outbox {
    const { redis, prefix, logger, adapters, concurrency } = this.options;
    return new Outbox({
      connection: redis,
      prefix,
      partitions: this.partitions,
      channels: adapters.flatMap((a) => a.channels),
      logger,
      onSent: (item, messageId) => this.emit("message.sent", { ...item, messageId }),
      // Agents see at once when a customer blocked the bot or the chat is gone.
      onUnreachable: (address, reason) => {
        this.emit("delivery.failed", { address, reason, kind: "unreachable" });
        this.desk
          ?.customerUnreachable(address, reason)
          .catch((err) =>
            logger?.error({ err }, "could not tell agents about an unreachable customer"),
          );
      },
      onFailed: (item, reason) => this.onDeliveryFailed(item, reason),
      onRetry: (kind, channel) => this.emit("delivery.retry", { kind, channel }),
      onTakeover: (queue) => this.emit("lease.takeover", { queue }),
      concurrency: concurrency?.outbox,
      ...this.lease,
    });
  }

  private buildDesk(router: IntentRouter): Desk | undefined {
    const { redis, prefix, logger, flows } = this.options;
    const workspace = pickWorkspace(this.options.adapters, this.options.deskWorkspace);
    if (workspace && !flows.bot.desk)
      logger?.warn(
        "an agent chat is set but frontline.yaml has no desk: section; escalations are not handed to agents",
      );
    if (!workspace || !flows.bot.desk) return undefined;
    return new Desk({
      redis,
      prefix,
      bot: flows.bot,
      config: flows.bot.desk,
      outbox: this.outbox,
      conversations: this.conversations,
      workspace,
      logger,
      isSmallTalk: (text) => router.isSmallTalk(text),
      recoveryMs: this.options.recoveryMs,
      events: {
        ticketOpened: (e) => this.emit("ticket.opened", e),
        ticketAssigned: (e) => this.emit("ticket.assigned", e),
        ticketClosed: (e) => this.emit("ticket.closed", e),
        deskFailure: (e) => this.emit("desk.failed", e),
        ticketRated: (e) => this.emit("ticket.rated", e),
      },
    });
  }

  private buildIntake(): Intake {
    const { redis, prefix, logger, flows, concurrency } = this.options;
    return new Intake({
      connection: redis,
      prefix,
      partitions: this.partitions,
      engine: this.engine,
      outbox: this.outbox,
      afterTurn: [
        async (e, r) => {
          if (!r.replayed)
            this.emit("turn", {
              channel: e.address.channel,
              flow: r.flow,
              escalated: Boolean(r.escalation),
              conversationKey: r.conversationKey,
              idempotencyKey: r.idempotencyKey,
              step: r.step,
              locale: r.locale,
              confidence: r.confidence,
              ...(r.handledBy ? { handledBy: r.handledBy } : {}),
              ...(r.debug ? { debug: r.debug } : {}),
            });
        },
        ...(this.desk ? [(e: InboundEvent, r: TurnResult) => this.desk!.afterTurn(e, r)] : []),
      ],
      notice: async (event, kind) => ({
        text: systemMessage(flows.bot, kind, await this.localeOf(event)),
      }),
      ...(flows.bot.floodControl ? { floodLimit: flows.bot.floodControl } : {}),
      onDeadLetter: (event, reason) => this.emit("event.deadlettered", { event, reason }),
      onTakeover: (queue) => this.emit("lease.takeover", { queue }),
      logger,
      concurrency: concurrency?.intake,
      ...this.lease,
      ...(this.options.waitReplicas ? { waitReplicas: this.options.waitReplicas } : {}),
    });
  }

  /** Every BullMQ queue this process uses: intake, outbox, desk lanes and timers. */
  get bullQueues() {
    return [...this.intake.bullQueues, ...this.outbox.bullQueues, ...(this.desk?.bullQueues ?? [])];
  }

  get redis() {
    return this.options.redis;
  }

  get prefix() {
    return this.options.prefix;
  }

  get channels(): Channel[] {
    return this.options.adapters.flatMap((a) => a.channels);
  }

  /**
   * Checks every workspace (preflight) and starts the adapters. A workspace that cannot host
   * the desk stops the start with one sentence (FL_ERR_PREFLIGHT): a desk that silently drops
   * every ticket is worse than no start.
   */
  async start(): Promise<void> {
    await this.checkPartitionLayout();
    const problem = await this.preflight();
    if (problem) throw new FrontlineError("FL_ERR_PREFLIGHT", problem);
    for (const adapter of this.options.adapters)
      await adapter.start(this.sink, this.adapterContext());
    this.started = true;
  }

  /** QUEUE_PARTITIONS decides where every chat's keys are (see claimPartitionLayout; also
   * checked by createFrontline before any queue starts). */
  private async checkPartitionLayout(): Promise<void> {
    await claimPartitionLayout(this.options.redis, this.options.prefix, this.partitions.count);
  }

  private adapterContext(): AdapterContext {
    const { flows, redis, prefix, logger } = this.options;
    const channels = this.channels;
    return {
      commandMenus: commandMenus(flows),
      agentCommands: AGENT_COMMANDS.map((command) => ({
        command,
        description: AGENT_COMMAND_HELP[command] ?? command,
      })),
      locales: [
        flows.bot.defaultLocale,
        ...flows.bot.locales.filter((l) => l !== flows.bot.defaultLocale),
      ],
      logger,
      redis,
      keyPrefix: prefix,
      openMedia: async (media) => {
        const owner = channels.find((c) => c.name === media.channel);
        if (!owner?.openMedia)
          throw new Error(`no running channel can open media from ${media.channel}`);
        return owner.openMedia(media);
      },
      text: (key, locale) => systemMessage(flows.bot, key, locale ?? flows.bot.defaultLocale),
    };
  }

  /** null when the desk's workspace is ready, else one sentence saying what to change. */
  async preflight(): Promise<string | null> {
    if (!this.desk) return null;
    try {
      return await this.desk.check();
    } catch (err) {
      return `the agent workspace ${this.desk.workspace.id} could not be checked: ${(err as Error).message}`;
    }
  }

  async health(): Promise<FrontlineHealth> {
    // The connection queues commands while Redis is down: a ping that does not answer within
    // a second counts as down, instead of hanging the probe.
    let timer: NodeJS.Timeout | undefined;
    const redis = await Promise.race([
      this.options.redis.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), 1_000);
      }),
    ]);
    clearTimeout(timer);
    const adapters = Object.fromEntries(this.options.adapters.map((a) => [a.name, a.health()]));
    return {
      ok: redis && this.started && Object.values(adapters).every((a) => a.ok),
      redis,
      adapters,
      desk: this.desk ? "running" : "none",
    };
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
    // In the order work flows: the intake's turns still record replies and desk steps, the
    // desk's steps still record posts and relays, and the outbox sends them all before it stops.
    const inOrder = async () => {
      await this.intake.close();
      await this.desk?.close();
      await this.outbox.close();
    };
    const closed = await Promise.race([inOrder(), timeout]);
    clearTimeout(timer);
    if (closed === "timeout") {
      this.options.logger?.warn(
        { graceMs },
        "in-flight work did not finish in time; it stays queued for the next worker",
      );
      await Promise.all([this.intake.close(true), this.outbox.close(true), this.desk?.close(true)]);
    }
    this.started = false;
    await this.options.ownedRedis?.close().catch(() => {});
  }

  private onDeliveryFailed(item: OutboxItem, reason: string): void {
    this.emit("delivery.failed", { address: item.address, reason, kind: "failed" });
    this.desk
      ?.deliveryFailed(item, reason)
      .catch((err) =>
        this.options.logger?.error({ err }, "could not tell agents about a failed delivery"),
      );
  }

  private async localeOf(event: InboundEvent): Promise<string> {
    const state = await this.conversations.load(event.conversationKey).catch(() => null);
    return state?.locale ?? this.options.flows.bot.defaultLocale;
  }
}

/** What `createFrontline` takes: the parts themselves, or where to find them. */
export type CreateFrontlineOptions = Omit<FrontlineOptions, "redis" | "flows" | "prefix"> & {
  /** Key prefix in Redis (default `fl:`); replicas of one bot share it. */
  prefix?: string;
} & ({ redis: Redis; redisUrl?: never } | { redisUrl?: string; redis?: never }) &
  ({ flows: FlowSet; flowsDir?: never } | { flowsDir: string; flows?: never });

/**
 * Builds the product; call `start()` to check the workspace and start taking updates. Given
 * `flowsDir`, the flows are validated first (against the adapters' channel limits) and an
 * invalid set throws FL_ERR_FLOW_INVALID with the validator's report; given `redisUrl` (or
 * neither: 127.0.0.1:6379), the connection is Frontline's own and `stop()` closes it.
 */
export async function createFrontline(options: CreateFrontlineOptions): Promise<Frontline> {
  const { redisUrl, flowsDir, ...rest } = options;
  const flows =
    options.flows ??
    loadFlowsOrThrow(
      flowsDir!,
      options.adapters.flatMap((a) => a.channels),
    );
  const prefix = options.prefix ?? "fl:";
  if (options.redis) {
    // Before the constructor starts the queues' workers: a worker of the wrong layout would
    // serve the other layout's groups.
    await claimPartitionLayout(options.redis, prefix, options.partitions ?? 1);
    return new Frontline({ ...rest, redis: options.redis, flows, prefix });
  }
  const handle = await connectRedis(redisUrl ?? DEFAULT_REDIS_URL);
  await claimPartitionLayout(handle.redis, prefix, options.partitions ?? 1).catch(async (err) => {
    await handle.close();
    throw err;
  });
  return new Frontline({
    ...rest,
    redis: handle.redis,
    flows,
    prefix: options.prefix ?? "fl:",
    ownedRedis: handle,
  });
}

function pickWorkspace(
  adapters: ChannelAdapter[],
  wanted: string | undefined,
): AgentWorkspace | undefined {
  const all = adapters.flatMap((a) => a.workspaces);
  if (!wanted) return all[0];
  const found = all.find((w) => w.id === wanted || w.channel === wanted);
  if (!found)
    throw new FrontlineError(
      "FL_ERR_CONFIG",
      `DESK_WORKSPACE=${wanted}, but no configured platform offers that workspace (have: ${all.map((w) => w.id).join(", ") || "none"})`,
    );
  return found;
}

function commandMenus(flows: FlowSet): CommandMenu[] {
  const menu = flows.bot.commandMenu;
  if (!menu) return [];
  const forLocale = (locale: string) =>
    Object.entries(menu).map(([command, text]) => ({
      command,
      description: text[locale] ?? text[flows.bot.defaultLocale] ?? command,
    }));
  return [
    { locale: undefined, commands: forLocale(flows.bot.defaultLocale) },
    ...flows.bot.locales.map((locale) => ({ locale, commands: forLocale(locale) })),
  ];
}
