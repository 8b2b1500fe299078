// The Discord channel: the gateway (held by one process per shard, see gateway.ts) brings
// events in; each is routed by where it happened — a DM or a customer's private support
// thread (customer), a ticket thread or the agent channel (agents), a public channel (the
// bot mentioned, /support, the panel: the conversation moves to a private thread) — recorded
// durably, and only then acknowledged (interactions) or counted in the stored sequence.
import { REST } from "@discordjs/rest";
import {
  type APIMessage,
  type APIUser,
  ChannelType,
  GatewayDispatchEvents,
  type GatewayDispatchPayload,
  GatewayIntentBits,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
} from "discord-api-types/v10";
import type { Logger } from "pino";
import {
  type AdapterContext,
  type AdapterHealth,
  type ChannelAdapter,
  FrontlineError,
  type InboundEvent,
  type InboundSink,
} from "../../src/index.ts";
import { backfill } from "./backfill.ts";
import { DiscordChannel, type DiscordPacing } from "./channel.ts";
import { registerCommands } from "./commands.ts";
import { DiscordCode, discordCode, discordStatus, isPermanent } from "./errors.ts";
import { languageOf, nonceOf } from "./format.ts";
import { Gateway } from "./gateway.ts";
import { GatewayStore } from "./gateway-store.ts";
import { GuildView, missing } from "./permissions.ts";
import { ChannelRegistry, type ChannelRole, type KnownChannel } from "./registry.ts";
import { Serial, untilDone } from "./serial.ts";
import { SupportThreads } from "./support-threads.ts";
import {
  agentInteraction,
  agentMessage,
  customerEdit,
  customerInteraction,
  customerMessage,
  type Interaction,
  interactionUser,
  type MessageData,
  writtenByPerson,
} from "./translate.ts";
import { DiscordWorkspace } from "./workspace.ts";

export const DISCORD_INTENTS =
  GatewayIntentBits.Guilds |
  GatewayIntentBits.GuildMessages |
  GatewayIntentBits.DirectMessages |
  GatewayIntentBits.MessageContent;

/** Application flags that say the Message Content intent is on (verified or not). */
const MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19);
export const SUPPORT_PAYLOAD = "fl:support";
const THREAD_TYPES = new Set<number>([
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
]);

export interface DiscordOptions {
  token: string;
  /** DISCORD_API_BASE: Discord's REST base ("…/api"); the gateway URL comes from /gateway/bot. */
  apiBase?: string;
  /** auto: hold the gateway when nobody else does; worker: never (process queues only). */
  mode: "auto" | "worker";
  agentChannelId?: string;
  agentRoleId?: string;
  supportChannelId?: string;
  /** A gateway holder's lease: a dead holder's shard is taken over after about this long. */
  leaseMs?: number;
  /** How far back a backfill looks for conversations (default 7 days). */
  backfillHorizonMs?: number;
  logger?: Logger;
  pacing?: DiscordPacing;
  /**
   * @discordjs/rest's own cap on requests per second (Discord's global limit, 50). Only a
   * benchmark against a fake raises it, to measure the system rather than that cap.
   */
  globalRequestsPerSecond?: number;
}

type Place =
  | { kind: "dm" }
  | { kind: "support"; owner: string }
  | { kind: "ticket" }
  | { kind: "desk" }
  | { kind: "public" }
  | { kind: "other" };

interface ChannelFacts {
  type: number;
  parentId: string | null;
  guildId?: string;
}

export class DiscordAdapter implements ChannelAdapter {
  readonly name = "discord";
  readonly rest: REST;
  readonly channel: DiscordChannel;
  readonly workspace: DiscordWorkspace | undefined;
  private readonly view: GuildView;
  private readonly serial = new Serial();
  private readonly facts = new Map<string, ChannelFacts>();
  private readonly registeredGuilds = new Set<string>();
  private sink: InboundSink | undefined;
  private context: AdapterContext | undefined;
  private registry: ChannelRegistry | undefined;
  private threads: SupportThreads | undefined;
  private gateway: Gateway | undefined;
  private user: APIUser | undefined;
  private applicationId: string | undefined;
  private stopped = false;
  private state: AdapterHealth = { ok: false, detail: "not started" };

  constructor(private readonly o: DiscordOptions) {
    this.rest = new REST({
      api: o.apiBase ?? "https://discord.com/api",
      version: "10",
      timeout: 15_000,
      ...(o.globalRequestsPerSecond ? { globalRequestsPerSecond: o.globalRequestsPerSecond } : {}),
    }).setToken(o.token);
    this.channel = new DiscordChannel(this.rest, o.pacing);
    this.view = new GuildView(this.rest);
    this.workspace = o.agentChannelId
      ? new DiscordWorkspace({
          rest: this.rest,
          channel: this.channel,
          view: this.view,
          agentChannelId: o.agentChannelId,
          ...(o.agentRoleId ? { agentRoleId: o.agentRoleId } : {}),
          botId: async () => (await this.me()).id,
          ...(o.pacing?.desk ? { pacing: o.pacing.desk } : {}),
        })
      : undefined;
  }

  get channels() {
    return [this.channel];
  }

  get workspaces() {
    return this.workspace ? [this.workspace] : [];
  }

  health(): AdapterHealth {
    return this.state;
  }

  /** The bot's own user; a refused token is a configuration error. */
  async me(): Promise<APIUser> {
    if (this.user) return this.user;
    try {
      this.user = (await this.rest.get(Routes.user("@me"))) as APIUser;
    } catch (err) {
      if (discordStatus(err) === 401)
        throw new FrontlineError(
          "FL_ERR_CONFIG",
          "Discord refused DISCORD_BOT_TOKEN (401); copy the token again (Developer Portal → your application → Bot → Reset Token)",
        );
      throw err;
    }
    return this.user;
  }

  /** Token, the Message Content intent, and what the bot may do in the support channel. */
  async check(): Promise<string | null> {
    try {
      await this.me();
    } catch (err) {
      return (err as Error).message;
    }
    const app = (await this.rest.get(Routes.currentApplication())) as {
      id: string;
      flags?: number;
    };
    this.applicationId = app.id;
    if (((app.flags ?? 0) & MESSAGE_CONTENT_FLAGS) === 0)
      return "Discord has the Message Content intent off for this bot, so it cannot read what customers write in threads; turn it on (Developer Portal → your application → Bot → Privileged Gateway Intents → Message Content Intent).";
    const supportChannel = this.o.supportChannelId;
    if (supportChannel) {
      let perms: bigint;
      try {
        perms = await this.view.permissions(supportChannel, (await this.me()).id);
      } catch (err) {
        const code = discordCode(err);
        if (code === DiscordCode.UnknownChannel || code === DiscordCode.MissingAccess)
          return `DISCORD_SUPPORT_CHANNEL_ID=${supportChannel}: the bot cannot see that channel; check the id and the channel's permissions.`;
        throw err;
      }
      const F = PermissionFlagsBits;
      const lacking = missing(perms, {
        "View Channel": F.ViewChannel,
        "Send Messages": F.SendMessages,
        "Create Private Threads": F.CreatePrivateThreads,
        "Send Messages in Threads": F.SendMessagesInThreads,
      });
      if (lacking.length > 0)
        return `DISCORD_SUPPORT_CHANNEL_ID=${supportChannel}: the bot lacks ${lacking.join(", ")} there; grant them to its role in that channel's permissions.`;
    }
    return null;
  }

  async describe(): Promise<string> {
    const holder = this.gateway?.holding.length ? "this process holds the gateway" : "standby";
    return `Discord (${this.o.mode}): ${holder}`;
  }

  async start(sink: InboundSink, context: AdapterContext): Promise<void> {
    this.sink = sink;
    this.context = context;
    this.stopped = false;
    const prefix = `${context.keyPrefix}discord:`;
    this.channel.useMediaOpener(context.openMedia);
    this.registry = new ChannelRegistry(context.redis, prefix);
    this.threads = new SupportThreads({
      rest: this.rest,
      registry: this.registry,
      ...(this.o.supportChannelId ? { supportChannelId: this.o.supportChannelId } : {}),
      ...(this.o.logger ? { logger: this.o.logger } : {}),
    });
    this.workspace?.remember(context.redis, prefix);
    const problem = await this.check();
    if (problem) throw new FrontlineError("FL_ERR_PREFLIGHT", problem);
    if (this.o.mode === "worker") {
      this.state = { ok: true, detail: "worker (takes no gateway events)" };
      return;
    }
    this.gateway = new Gateway({
      token: this.o.token,
      rest: this.rest,
      intents: DISCORD_INTENTS,
      store: new GatewayStore(context.redis, prefix),
      leaseMs: this.o.leaseMs ?? 3_000,
      ...(this.o.logger ? { logger: this.o.logger } : {}),
      onDispatch: (_shard, event) => this.onEvent(event),
      onNewSession: () => this.backfillNow(),
      onState: (detail, ok) => {
        this.state = { ok, detail };
      },
    });
    await this.gateway.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.gateway?.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.serial.drained(),
      new Promise((r) => {
        timer = setTimeout(r, 5_000);
      }),
    ]);
    clearTimeout(timer);
    this.state = { ok: false, detail: "stopped" };
  }

  /** Keeps trying until it works (or the adapter stops, or Discord refuses for good: then it
   * throws): nothing is skipped for a passing failure. */
  private record(what: string, work: () => Promise<void>): Promise<void> {
    return untilDone(
      work,
      () => this.stopped,
      (err, attempt) =>
        this.o.logger?.warn(
          { err: String(err), attempt, what },
          "could not record a Discord event yet; retrying",
        ),
      isPermanent,
    );
  }

  /**
   * Handles one gateway event to the end: a passing failure anywhere (a REST read, Redis) runs
   * it again (what was recorded already is a duplicate then); one Discord refuses for good is
   * logged and the event counts as handled, so one bad event never holds the others back.
   * Rejects only when stopping (the event is then replayed to the next holder).
   */
  private async handle(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await this.record(what, work);
    } catch (err) {
      if (this.stopped) throw err;
      this.o.logger?.warn(
        { err: String(err), what },
        "Discord refused what this event needs; skipped",
      );
    }
  }

  /** Remembers the channel for backfills before the event counts as handled (awaited: the
   * stored sequence must not pass a message of a channel the registry does not know). */
  private note(channelId: string, messageId: string, role: ChannelRole): Promise<void> {
    return this.registry!.note(channelId, messageId, role);
  }

  // ---- events ------------------------------------------------------------------------------

  private async onEvent(event: GatewayDispatchPayload): Promise<void> {
    switch (event.t) {
      case GatewayDispatchEvents.Ready:
        this.onReady(event.d.guilds.map((g) => g.id));
        return;
      case GatewayDispatchEvents.GuildCreate: {
        const guild = event.d as { id: string; channels?: unknown[]; threads?: unknown[] };
        for (const c of [...(guild.channels ?? []), ...(guild.threads ?? [])])
          this.learn(c as { id: string; type: number; parent_id?: string | null }, guild.id);
        this.ensureCommands([guild.id]);
        return;
      }
      case GatewayDispatchEvents.ThreadCreate:
      case GatewayDispatchEvents.ThreadUpdate:
      case GatewayDispatchEvents.ChannelCreate:
      case GatewayDispatchEvents.ChannelUpdate:
        this.learn(
          event.d as { id: string; type: number; parent_id?: string | null; guild_id?: string },
        );
        return;
      case GatewayDispatchEvents.ThreadDelete: {
        const { id, guild_id } = event.d;
        this.facts.delete(id);
        await this.record("thread deleted", async () => {
          await this.threads!.deleted(guild_id, id);
          await this.registry!.forget(id);
        });
        return;
      }
      case GatewayDispatchEvents.GuildDelete:
        if (!event.d.unavailable)
          this.o.logger?.warn(
            { guild: event.d.id },
            "the bot was removed from a Discord server; its support threads there are unreachable",
          );
        return;
      case GatewayDispatchEvents.MessageCreate:
        return this.serial.run(event.d.channel_id, () =>
          this.handle("message", () => this.onMessage(event.d as MessageData)),
        );
      case GatewayDispatchEvents.MessageUpdate:
        return this.serial.run(event.d.channel_id, () =>
          this.handle("edit", () => this.onEdit(event.d as MessageData)),
        );
      case GatewayDispatchEvents.InteractionCreate: {
        const i = event.d as Interaction;
        const channelId = i.channel?.id ?? i.channel_id ?? "";
        return this.serial.run(channelId, () =>
          this.handle("interaction", () => this.onInteraction(i, channelId)),
        );
      }
      default:
        return;
    }
  }

  private onReady(guildIds: string[]): void {
    this.ensureCommands(guildIds);
    void this.ensurePanel();
  }

  private learn(
    c: { id: string; type: number; parent_id?: string | null; guild_id?: string },
    guildId?: string,
  ) {
    this.facts.set(c.id, {
      type: c.type,
      parentId: c.parent_id ?? null,
      ...((c.guild_id ?? guildId) ? { guildId: c.guild_id ?? guildId } : {}),
    });
  }

  private async factsOf(channelId: string): Promise<ChannelFacts> {
    const known = this.facts.get(channelId);
    if (known) return known;
    const c = (await this.view.channel(channelId)) as {
      id: string;
      type: number;
      parent_id?: string | null;
      guild_id?: string;
    };
    this.learn(c);
    return this.facts.get(channelId)!;
  }

  /** Where something happened decides who it is from and what it means. */
  private async placeOf(channelId: string, guildId: string | undefined): Promise<Place> {
    if (!guildId) return { kind: "dm" };
    const agentChannel = this.o.agentChannelId;
    if (channelId === agentChannel) return { kind: "desk" };
    const facts = await this.factsOf(channelId);
    if (agentChannel && facts.parentId === agentChannel) return { kind: "ticket" };
    if (THREAD_TYPES.has(facts.type)) {
      const owner = await this.threads!.ownerOf(channelId);
      return owner ? { kind: "support", owner } : { kind: "other" };
    }
    return facts.type === ChannelType.GuildText ? { kind: "public" } : { kind: "other" };
  }

  private async onMessage(m: MessageData): Promise<void> {
    if (!writtenByPerson(m)) return;
    const place = await this.placeOf(m.channel_id, m.guild_id);
    const sink = this.sink!;
    switch (place.kind) {
      case "dm":
      case "support": {
        // In a support thread only its customer speaks for the conversation (a moderator
        // looking in is not the customer).
        if (place.kind === "support" && m.author.id !== place.owner) return;
        const event = customerMessage(m, m.channel_id);
        await this.record("customer message", () => sink.customer(event));
        await this.note(m.channel_id, m.id, place.kind);
        return;
      }
      case "ticket":
      case "desk": {
        const threadId = place.kind === "ticket" ? m.channel_id : undefined;
        const event = agentMessage(m, this.workspace!.id, threadId);
        if (event) await this.record("agent message", () => sink.agent(event));
        if (threadId) await this.note(threadId, m.id, "ticket");
        return;
      }
      case "public": {
        const botId = (await this.me()).id;
        const mentioned =
          m.mentions?.some((u) => u.id === botId) || m.content.includes(`<@${botId}>`);
        if (mentioned) await this.moveToPrivate(m, botId);
        return;
      }
      default:
        return;
    }
  }

  /** The bot mentioned in a public channel: the customer's words continue in a private thread. */
  private async moveToPrivate(m: MessageData, botId: string): Promise<void> {
    const guildId = m.guild_id!;
    const threadId = await this.openThreadFor(guildId, m.channel_id, m.author);
    if (!threadId) {
      await this.say(m.channel_id, "privateThreadFailed", undefined, `dc:nothread:${m.id}`, m.id);
      return;
    }
    const text = m.content.replace(new RegExp(`<@!?${botId}>`, "g"), "").trim();
    const hasMedia = (m.attachments?.length ?? 0) > 0;
    const event: InboundEvent =
      text || hasMedia
        ? customerMessage(m, threadId, { text })
        : { ...customerMessage(m, threadId, { text: "/start" }) };
    await this.record("customer message", () => this.sink!.customer(event));
    await this.note(threadId, threadId, "support");
    await this.pointTo(m.channel_id, threadId, m.author.id, undefined, `dc:note:${m.id}`, m.id);
  }

  /** The customer's private thread, or null when Discord refuses to make one here (a channel
   * that cannot hold threads, a missing permission): then they are told to write a DM. */
  private async openThreadFor(
    guildId: string,
    channelId: string,
    user: { id: string; username: string },
  ): Promise<string | null> {
    let threadId: string | null = null;
    try {
      await this.record("support thread", async () => {
        threadId = await this.threads!.open(guildId, channelId, user);
      });
    } catch (err) {
      if (!isPermanent(err)) throw err;
      this.o.logger?.warn(
        { err: String(err), channel: channelId },
        "could not open a private support thread here (set DISCORD_SUPPORT_CHANNEL_ID to a text channel where the bot may create private threads)",
      );
    }
    return threadId;
  }

  /** A runtime text posted in a channel as a reply (escaped, pinging nobody). */
  private async say(
    channelId: string,
    key: "privateThreadFailed",
    locale: string | undefined,
    idempotencyKey: string,
    replyTo: string,
  ): Promise<void> {
    const text = this.context!.text(key, locale);
    const [body] = this.channel.bodies(text, { text });
    try {
      await this.rest.post(Routes.channelMessages(channelId), {
        body: {
          ...body,
          message_reference: { message_id: replyTo, fail_if_not_exists: false },
          nonce: nonceOf(idempotencyKey),
          enforce_nonce: true,
        },
      });
    } catch (err) {
      this.o.logger?.warn({ err: String(err) }, "could not answer in a public channel");
    }
  }

  /** The short public note: "@Alice, let's talk in private: #support · alice". */
  private async pointTo(
    channelId: string,
    threadId: string,
    userId: string,
    locale: string | undefined,
    key: string,
    replyTo?: string,
  ): Promise<void> {
    const text = this.context!.text("privateThreadOpened", locale);
    const [body] = this.channel.bodies(text, { text });
    const content = (body!.content ?? "")
      .replace("{{user}}", `<@${userId}>`)
      .replace("{{thread}}", `<#${threadId}>`);
    try {
      await this.rest.post(Routes.channelMessages(channelId), {
        body: {
          content,
          allowed_mentions: { parse: [], users: [userId] },
          ...(replyTo
            ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } }
            : {}),
          nonce: nonceOf(key),
          enforce_nonce: true,
        },
      });
    } catch (err) {
      this.o.logger?.warn(
        { err: String(err) },
        "could not post the note pointing to a support thread",
      );
    }
  }

  private async onEdit(m: MessageData): Promise<void> {
    if (!m.author || !writtenByPerson(m)) return;
    const place = await this.placeOf(m.channel_id, m.guild_id);
    if (place.kind !== "dm" && !(place.kind === "support" && m.author.id === place.owner)) return;
    const event = customerEdit(m, m.channel_id);
    if (event) await this.record("customer edit", () => this.sink!.customer(event));
  }

  private async onInteraction(i: Interaction, channelId: string): Promise<void> {
    const user = interactionUser(i);
    if (
      !user ||
      (i.type !== InteractionType.MessageComponent && i.type !== InteractionType.ApplicationCommand)
    )
      return;
    const place = await this.placeOf(channelId, i.guild_id);
    const isCommand = i.type === InteractionType.ApplicationCommand;
    const name = isCommand ? (i.data as { name: string }).name : undefined;
    const payload = isCommand ? undefined : (i.data as { custom_id: string }).custom_id;
    switch (place.kind) {
      case "dm":
      case "support": {
        if (place.kind === "support" && user.id !== place.owner) return this.ack(i, "⛔");
        const event = customerInteraction(i, channelId);
        if (!event) return this.ack(i);
        await this.record("customer interaction", () => this.sink!.customer(event));
        return this.ack(i, isCommand ? `\`/${name}\` ✓` : undefined);
      }
      case "ticket":
      case "desk": {
        const event = agentInteraction(
          i,
          this.workspace!.id,
          place.kind === "ticket" ? channelId : undefined,
        );
        if (!event) return this.ack(i);
        await this.record("agent interaction", () => this.sink!.agent(event));
        return this.ack(i, isCommand ? `\`/${name}\` ✓` : undefined);
      }
      case "public":
      case "other": {
        // /support, the panel's button, or any customer command in a public place: the
        // conversation starts (or goes on) in the customer's private thread.
        if (!i.guild_id || (!isCommand && payload !== SUPPORT_PAYLOAD)) return this.ack(i);
        const threadId = await this.openThreadFor(i.guild_id, channelId, user);
        if (!threadId)
          return this.ack(
            i,
            this.context!.text(
              "privateThreadFailed",
              languageOf((i as { locale?: string }).locale),
            ),
          );
        const inThread = customerInteraction(i, threadId);
        const event: InboundEvent | null =
          inThread && inThread.type === "button"
            ? { ...inThread, type: "command", command: "start", args: "" }
            : inThread;
        if (event) await this.record("customer interaction", () => this.sink!.customer(event));
        await this.note(threadId, threadId, "support");
        return this.ackWithPointer(i, threadId, user.id, !isCommand);
      }
    }
  }

  /** The 3 s acknowledgement, after the record: a button just stops spinning; a command gets
   * a quiet "`/human` ✓" only its user sees (the answer itself follows as a message). */
  private async ack(i: Interaction, label?: string): Promise<void> {
    const body =
      i.type === InteractionType.MessageComponent && !label
        ? { type: InteractionResponseType.DeferredMessageUpdate }
        : {
            type: InteractionResponseType.ChannelMessageWithSource,
            data: { content: label ?? "✓", flags: MessageFlags.Ephemeral },
          };
    await this.callback(i, body);
  }

  private async ackWithPointer(
    i: Interaction,
    threadId: string,
    userId: string,
    ephemeral: boolean,
  ) {
    const text = this.context!.text(
      "privateThreadOpened",
      languageOf((i as { locale?: string }).locale),
    );
    const [body] = this.channel.bodies(text, { text });
    const content = (body!.content ?? "")
      .replace("{{user}}", `<@${userId}>`)
      .replace("{{thread}}", `<#${threadId}>`);
    await this.callback(i, {
      type: InteractionResponseType.ChannelMessageWithSource,
      data: {
        content,
        allowed_mentions: { parse: [], users: [userId] },
        ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
      },
    });
  }

  private async callback(i: Interaction, body: unknown): Promise<void> {
    try {
      await this.rest.post(Routes.interactionCallback(i.id, i.token), { body, auth: false });
    } catch (err) {
      const code = discordCode(err);
      if (code === DiscordCode.UnknownInteraction || code === DiscordCode.AlreadyAcknowledged)
        this.o.logger?.info(
          { interaction: i.id, code },
          "a Discord interaction was acknowledged late (its user saw 'interaction failed'); it is recorded and answered",
        );
      else this.o.logger?.warn({ err: String(err) }, "could not acknowledge a Discord interaction");
    }
  }

  // ---- backfill, commands, panel ----------------------------------------------------------

  private async backfillNow(): Promise<void> {
    await backfill({
      rest: this.rest,
      registry: this.registry!,
      horizonMs: this.o.backfillHorizonMs ?? 7 * 24 * 3_600_000,
      maxPerChannel: 20_000,
      concurrency: 4,
      stopped: () => this.stopped,
      ...(this.o.logger ? { logger: this.o.logger } : {}),
      handle: async (channel: KnownChannel, message: APIMessage) => {
        const guildId =
          channel.role === "dm" ? undefined : (await this.factsOf(channel.channelId)).guildId;
        const data: MessageData = { ...message, ...(guildId ? { guild_id: guildId } : {}) };
        await this.serial.run(channel.channelId, () =>
          this.handle("backfilled message", () => this.onMessage(data)),
        );
      },
    });
  }

  private ensureCommands(guildIds: string[]): void {
    const fresh = guildIds.filter((g) => !this.registeredGuilds.has(g));
    if (fresh.length === 0 || !this.context) return;
    for (const g of fresh) this.registeredGuilds.add(g);
    void (async () => {
      const staffGuildId = this.o.agentChannelId
        ? (await this.factsOf(this.o.agentChannelId).catch(() => undefined))?.guildId
        : undefined;
      const applicationId = this.applicationId ?? (await this.me()).id;
      await registerCommands({
        rest: this.rest,
        applicationId,
        guildIds: fresh,
        staffGuildId,
        context: this.context!,
        ...(this.o.logger ? { logger: this.o.logger } : {}),
      });
    })().catch((err) =>
      this.o.logger?.warn({ err: String(err) }, "slash command registration failed"),
    );
  }

  /** The "Get help" panel in DISCORD_SUPPORT_CHANNEL_ID, posted once (and again if deleted). */
  private async ensurePanel(): Promise<void> {
    const channelId = this.o.supportChannelId;
    const redis = this.context?.redis;
    if (!channelId || !redis) return;
    const key = `${this.context!.keyPrefix}discord:panel:${channelId}`;
    try {
      const known = await redis.get(key);
      if (known) {
        try {
          await this.rest.get(Routes.channelMessage(channelId, known));
          return;
        } catch (err) {
          if (discordCode(err) !== DiscordCode.UnknownMessage) throw err;
        }
      }
      const locale = this.context!.locales[0];
      const text = this.context!.text("supportPanel", locale);
      const label = this.context!.text("supportPanelButton", locale);
      const message = await this.channel.post(
        channelId,
        { text, buttons: [{ label, payload: SUPPORT_PAYLOAD }] },
        { idempotencyKey: `panel:${channelId}:${known ?? ""}` },
      );
      await redis.set(key, message.id);
    } catch (err) {
      this.o.logger?.warn({ err: String(err) }, "could not post the support panel");
    }
  }
}
