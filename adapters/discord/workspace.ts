// The agent desk in a private Discord channel: one private thread per ticket (or, when the
// channel is a forum, one forum post whose tags show the status). The card is the thread's
// first message, an embed with the ticket's buttons; status changes edit the card (and the
// tags), never the thread's name: Discord allows about two renames per ten minutes.
import type { REST } from "@discordjs/rest";
import {
  type APIChannel,
  type APIGuildForumTag,
  type APIMessage,
  ChannelType,
  PermissionFlagsBits,
  Routes,
} from "discord-api-types/v10";
import type { Redis } from "ioredis";
import {
  type AgentWorkspace,
  DeliveryError,
  type OpenThreadOptions,
  type OutboundMessage,
  type RateLimit,
  type SendOptions,
  ThreadGoneError,
  ThreadHalfOpenError,
  type ThreadRef,
  type TicketHeader,
} from "../../src/index.ts";
import type { DiscordChannel } from "./channel.ts";
import { classify, DiscordCode, discordCode } from "./errors.ts";
import { CHANNEL } from "./media.ts";
import { type GuildView, missing } from "./permissions.ts";

/** The forum tags that show a ticket's status, by the name an operator sees in the forum. */
export const STATUS_TAGS: Record<TicketHeader["status"], string> = {
  queued: "open",
  assigned: "claimed",
  waiting_customer: "waiting",
  closed: "closed",
};

const STATUS_COLOR: Record<TicketHeader["status"], number> = {
  queued: 0x3b82f6,
  assigned: 0xf59e0b,
  waiting_customer: 0x8b5cf6,
  closed: 0x22c55e,
};

const ARCHIVE_AFTER_MINUTES = 10_080;

export function workspaceIdOf(channelId: string): string {
  return `${CHANNEL}:${channelId}`;
}

export interface DiscordWorkspaceOptions {
  rest: REST;
  channel: DiscordChannel;
  view: GuildView;
  agentChannelId: string;
  /** Who counts as an agent; without it, whoever can see the agent channel. */
  agentRoleId?: string;
  botId: () => Promise<string>;
  /** Posts into the desk together (default 20/s; a benchmark raises it to measure the system). */
  pacing?: RateLimit;
  /** Where the forum variant keeps its "general" post for desk-wide notices. */
  redis?: Redis;
  keyPrefix?: string;
}

export class DiscordWorkspace implements AgentWorkspace {
  readonly id: string;
  readonly channel = CHANNEL;
  readonly limits = { textLength: 2_000, titleLength: 100, payloadBytes: 100 };
  private readonly agents = new Map<string, { agent: boolean; until: number }>();
  private general: string | undefined;

  constructor(private readonly o: DiscordWorkspaceOptions) {
    this.id = workspaceIdOf(o.agentChannelId);
  }

  /** Where the forum variant remembers its notices post (set when the adapter starts). */
  remember(redis: Redis, keyPrefix: string): void {
    this.o.redis = redis;
    this.o.keyPrefix = keyPrefix;
  }

  get agentChannelId(): string {
    return this.o.agentChannelId;
  }

  /** Ticket threads are separate Discord channels; only the bot-wide limit is shared. */
  get pacing() {
    return {
      lane: `${CHANNEL}:desk:${this.o.agentChannelId}`,
      limit: this.o.pacing ?? { burst: 20, perSecond: 20 },
    };
  }

  private async agentChannel(): Promise<APIChannel & { available_tags?: APIGuildForumTag[] }> {
    return (await this.o.view.channel(this.o.agentChannelId)) as APIChannel & {
      available_tags?: APIGuildForumTag[];
    };
  }

  private async isForum(): Promise<boolean> {
    return (await this.agentChannel()).type === ChannelType.GuildForum;
  }

  async openThread(
    ticket: TicketHeader,
    card: OutboundMessage,
    options: OpenThreadOptions,
  ): Promise<ThreadRef> {
    const name = threadName(ticket);
    if (!options.resumeThreadId && (await this.isForum())) {
      // A forum post is made with its first message: thread and card in one call.
      try {
        const body = this.o.channel.bodies(card.text, card, this.cardExtras(ticket))[0]!;
        const thread = (await this.o.rest.post(Routes.threads(this.o.agentChannelId), {
          body: {
            name,
            auto_archive_duration: ARCHIVE_AFTER_MINUTES,
            message: body,
            applied_tags: await this.tagIds(ticket.status),
          },
        })) as APIChannel & { message?: APIMessage };
        return { threadId: thread.id, cardMessageId: thread.message?.id ?? thread.id };
      } catch (err) {
        throw classify(err);
      }
    }
    let threadId = options.resumeThreadId;
    if (!threadId) {
      try {
        const thread = (await this.o.rest.post(Routes.threads(this.o.agentChannelId), {
          body: {
            name,
            type: ChannelType.PrivateThread,
            invitable: false,
            auto_archive_duration: ARCHIVE_AFTER_MINUTES,
          },
        })) as APIChannel;
        threadId = thread.id;
      } catch (err) {
        throw classify(err);
      }
    }
    try {
      const message = await this.send(threadId, card, options, this.cardExtras(ticket));
      return { threadId, cardMessageId: message.id };
    } catch (err) {
      if (err instanceof ThreadGoneError && options.resumeThreadId) throw err;
      throw new ThreadHalfOpenError(threadId, err);
    }
  }

  /** The card as an embed titled with the status; mentions the agent role so its members
   * join the private thread. */
  private cardExtras(ticket: TicketHeader) {
    return {
      asEmbed: { title: ticket.title, color: STATUS_COLOR[ticket.status] },
      ...(this.o.agentRoleId && ticket.status === "queued"
        ? { allowRoles: [this.o.agentRoleId] }
        : {}),
    };
  }

  async showStatus(thread: ThreadRef, ticket: TicketHeader, card: OutboundMessage): Promise<void> {
    const body = this.o.channel.bodies(card.text, card, {
      asEmbed: { title: ticket.title, color: STATUS_COLOR[ticket.status] },
    })[0]!;
    await this.quietly(async () => {
      await this.o.rest.patch(Routes.channelMessage(thread.threadId, thread.cardMessageId), {
        body: { embeds: body.embeds, components: body.components ?? [] },
      });
    });
    if (await this.isForum()) {
      const tags = await this.tagIds(ticket.status);
      // Tags are not the name: editing them is not limited like renames are.
      await this.quietly(() =>
        this.o.rest.patch(Routes.channel(thread.threadId), { body: { applied_tags: tags } }),
      );
    }
  }

  async closeThread(threadId: string): Promise<void> {
    // One edit: archiving first and locking after fails (50083, the thread is archived).
    await this.quietly(() =>
      this.o.rest.patch(Routes.channel(threadId), { body: { archived: true, locked: true } }),
    );
  }

  async reopenThread(threadId: string): Promise<void> {
    await this.quietly(() =>
      this.o.rest.patch(Routes.channel(threadId), { body: { archived: false, locked: false } }),
    );
  }

  async post(
    threadId: string | undefined,
    message: OutboundMessage,
    options: SendOptions,
  ): Promise<string> {
    const target = threadId ?? (await this.generalPlace());
    return (await this.send(target, message, options)).id;
  }

  /** Sends into a thread (a closed one is reopened by the channel); a deleted one is gone. */
  private async send(
    threadId: string,
    message: OutboundMessage,
    options: SendOptions,
    extras = {},
  ): Promise<APIMessage> {
    try {
      return await this.o.channel.post(threadId, message, options, extras);
    } catch (err) {
      if (discordCode(err) === DiscordCode.UnknownChannel)
        throw new ThreadGoneError(classify(err).message);
      throw classify(err);
    }
  }

  /** Desk-wide notices: the channel itself, or in a forum (which holds only posts) one post
   * made for them once. */
  private async generalPlace(): Promise<string> {
    if (!(await this.isForum())) return this.o.agentChannelId;
    if (this.general) return this.general;
    const key = `${this.o.keyPrefix ?? ""}desk-general:${this.o.agentChannelId}`;
    const known = await this.o.redis?.get(key);
    if (known) {
      this.general = known;
      return known;
    }
    try {
      const thread = (await this.o.rest.post(Routes.threads(this.o.agentChannelId), {
        body: {
          name: "Frontline desk notices",
          message: { content: "Notices for the whole desk." },
        },
      })) as APIChannel;
      await this.o.redis?.set(key, thread.id);
      this.general = thread.id;
      return thread.id;
    } catch (err) {
      throw classify(err);
    }
  }

  private async tagIds(status: TicketHeader["status"]): Promise<string[]> {
    const tags = (await this.agentChannel()).available_tags ?? [];
    const tag = tags.find((t) => t.name.toLowerCase() === STATUS_TAGS[status]);
    return tag ? [tag.id] : [];
  }

  /** With DISCORD_AGENT_ROLE_ID, members with that role; else whoever can see the agent
   * channel (keep it private). Cached for a minute. */
  async isAgent(agentId: string): Promise<boolean> {
    const id = /^discord:(\d+)$/.exec(agentId)?.[1];
    if (!id) return false;
    const cached = this.agents.get(id);
    if (cached && cached.until > Date.now()) return cached.agent;
    let agent = false;
    try {
      const channel = (await this.agentChannel()) as APIChannel & { guild_id?: string };
      if (this.o.agentRoleId) {
        const member = await this.o.view.member(channel.guild_id ?? "", id);
        agent = member.roles.includes(this.o.agentRoleId);
      } else {
        const perms = await this.o.view.permissions(this.o.agentChannelId, id);
        agent = (perms & PermissionFlagsBits.ViewChannel) !== 0n;
      }
    } catch (err) {
      const code = discordCode(err);
      if (code !== DiscordCode.UnknownMember && code !== 10013) throw classify(err);
    }
    this.agents.set(id, { agent, until: Date.now() + 60_000 });
    return agent;
  }

  async check(): Promise<string | null> {
    const where = `DISCORD_AGENT_CHANNEL_ID=${this.o.agentChannelId}`;
    let channel: APIChannel & { available_tags?: APIGuildForumTag[]; guild_id?: string };
    try {
      this.o.view.forget();
      channel = await this.agentChannel();
    } catch (err) {
      const code = discordCode(err);
      if (code === DiscordCode.UnknownChannel || code === DiscordCode.MissingAccess)
        return `${where}: the bot cannot see that channel; invite the bot to the staff server and give it access to the channel (README: Connecting Discord).`;
      throw err;
    }
    const forum = channel.type === ChannelType.GuildForum;
    if (channel.type !== ChannelType.GuildText && !forum)
      return `${where}: "${channel.name ?? channel.id}" is neither a text channel nor a forum; pick a private text or forum channel for the agents.`;
    const F = PermissionFlagsBits;
    const needed: Record<string, bigint> = {
      "View Channel": F.ViewChannel,
      "Send Messages": F.SendMessages,
      "Send Messages in Threads": F.SendMessagesInThreads,
      "Embed Links": F.EmbedLinks,
      "Attach Files": F.AttachFiles,
      "Read Message History": F.ReadMessageHistory,
      "Manage Threads": F.ManageThreads,
      ...(forum ? {} : { "Create Private Threads": F.CreatePrivateThreads }),
    };
    const perms = await this.o.view.permissions(channel.id, await this.o.botId());
    const lacking = missing(perms, needed);
    if (lacking.length > 0)
      return `${where}: the bot lacks ${lacking.join(", ")} in "${channel.name}"; grant them to its role in that channel's permissions.`;
    if (forum) {
      const names = new Set((channel.available_tags ?? []).map((t) => t.name.toLowerCase()));
      const absent = Object.values(STATUS_TAGS).filter((t) => !names.has(t));
      if (absent.length > 0)
        return `${where}: the forum "${channel.name}" has no tags ${absent.map((t) => `"${t}"`).join(", ")}; add them (Edit Channel → Tags) so tickets show their status.`;
    }
    if (this.o.agentRoleId) {
      const roles = await this.o.view.roles(channel.guild_id ?? "");
      const role = roles.find((r) => r.id === this.o.agentRoleId);
      if (!role)
        return `DISCORD_AGENT_ROLE_ID=${this.o.agentRoleId}: no such role in the staff server; copy the role's id (Server Settings → Roles → Copy Role ID).`;
      // The card's role mention is what adds agents to a ticket's private thread.
      if (!role.mentionable && (perms & PermissionFlagsBits.MentionEveryone) === 0n)
        return `DISCORD_AGENT_ROLE_ID=${this.o.agentRoleId}: the bot may not mention "${role.name}", so its members are not added to ticket threads; make the role mentionable (Server Settings → Roles → Allow anyone to @mention this role) or give the bot Mention @everyone in "${channel.name}".`;
    }
    return null;
  }

  /** Cosmetic or idempotent steps: a thread deleted meanwhile is not an error. */
  private async quietly(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const code = discordCode(err);
      if (code === DiscordCode.UnknownChannel || code === DiscordCode.UnknownMessage) return;
      const failure = classify(err);
      if (failure instanceof DeliveryError && failure.kind === "unreachable") return;
      throw failure;
    }
  }
}

/** The thread's name never changes (no status in it): "#12 Maria · billing · en". */
export function threadName(ticket: TicketHeader): string {
  const name = ticket.title.replace(/^\p{Extended_Pictographic}\uFE0F?\s*/u, "");
  return [...name].slice(0, 100).join("") || `#${ticket.number}`;
}
