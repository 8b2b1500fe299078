// In-memory world: users, guilds (roles, members), channels and threads, messages, attachments.
// Pure bookkeeping; gateway events and REST rules live elsewhere.
import { compareIds, Snowflakes } from "./ids.ts";
import {
  BOT_DEFAULT,
  channelPermissions,
  DM_PERMISSIONS,
  EVERYONE_DEFAULT,
  isThread,
  Perm,
} from "./permissions.ts";
import type {
  AttachmentRec,
  ChannelRec,
  FakeFile,
  ForumTag,
  GuildRec,
  MessageRec,
  RoleRec,
  Snowflake,
  UserRec,
} from "./types.ts";

/** A registered application command, in Discord's API shape. */
export type CommandRec = Record<string, unknown> & { id: Snowflake; name: string };

export interface AddChannelOptions {
  name: string;
  type?: number;
  private?: boolean;
  allowRoles?: Snowflake[];
  tags?: Array<{ name: string; moderated?: boolean }>;
  parentId?: Snowflake;
  topic?: string;
  id?: Snowflake;
}

export interface NewThreadOptions {
  name: string;
  type: 10 | 11 | 12;
  ownerId: Snowflake;
  invitable?: boolean;
  autoArchiveDuration?: number;
  appliedTags?: Snowflake[];
  /** A thread started from a message (or a forum post) has that message's id. */
  id?: Snowflake;
}

/** Gateway/REST-independent fields every message starts with; callers set the rest. */
export type NewMessage = Partial<MessageRec> & Pick<MessageRec, "author" | "byBot">;

export class World {
  readonly ids = new Snowflakes();
  readonly users = new Map<Snowflake, UserRec>();
  readonly guilds = new Map<Snowflake, GuildRec>();
  readonly channels = new Map<Snowflake, ChannelRec>();
  /** Messages by channel id, in creation order (deleted ones stay, marked). */
  readonly messages = new Map<Snowflake, MessageRec[]>();
  readonly messageIndex = new Map<Snowflake, MessageRec>();
  /** By "channelId/attachmentId". */
  readonly attachments = new Map<string, AttachmentRec>();
  readonly dmByUser = new Map<Snowflake, Snowflake>();
  /** Users who have written to the bot in a DM (the bot may write back). */
  readonly wroteToBot = new Set<Snowflake>();
  readonly globalCommands: CommandRec[] = [];
  readonly guildCommands = new Map<Snowflake, CommandRec[]>();
  readonly bot: UserRec;
  applicationFlags: number;
  private channelPosition = 0;

  constructor(
    bot: { id: Snowflake; username: string },
    readonly applicationId: Snowflake,
    /** "http://127.0.0.1:PORT", known once the server listens. */
    readonly origin: () => string,
  ) {
    this.bot = {
      id: bot.id,
      username: bot.username,
      globalName: null,
      locale: "en-US",
      bot: true,
      dmsClosed: false,
    };
    this.users.set(bot.id, this.bot);
    // Unverified bots (in fewer than 100 servers) get the "limited" privileged-intent flags.
    this.applicationFlags = (1 << 19) | (1 << 15);
  }

  // ---- users and guilds -----------------------------------------------------------------

  addUser(o: { username: string; globalName?: string | null; locale?: string; id?: Snowflake }) {
    const user: UserRec = {
      id: o.id ?? this.ids.next(),
      username: o.username,
      globalName: o.globalName ?? null,
      locale: o.locale ?? "en-US",
      bot: false,
      dmsClosed: false,
    };
    if (this.users.has(user.id)) throw new Error(`user ${user.id} already exists`);
    this.users.set(user.id, user);
    return user;
  }

  user(id: Snowflake): UserRec {
    const u = this.users.get(id);
    if (!u) throw new Error(`unknown user ${id}: call addUser first`);
    return u;
  }

  addGuild(o: { name: string; id?: Snowflake }): GuildRec {
    const id = o.id ?? this.ids.next();
    if (this.guilds.has(id)) throw new Error(`guild ${id} already exists`);
    const owner = this.addUser({ username: `${o.name.toLowerCase().replace(/\W+/g, "-")}-owner` });
    const botRoleId = this.ids.next();
    const guild: GuildRec = {
      id,
      name: o.name,
      ownerId: owner.id,
      roles: new Map(),
      members: new Map(),
      botRoleId,
      botPresent: true,
    };
    const role = (rid: Snowflake, name: string, permissions: bigint, position: number) =>
      guild.roles.set(rid, {
        id: rid,
        guildId: id,
        name,
        permissions,
        position,
        managed: rid === botRoleId,
      });
    role(id, "@everyone", EVERYONE_DEFAULT, 0);
    role(botRoleId, this.bot.username, BOT_DEFAULT, 1);
    const joinedAt = new Date().toISOString();
    guild.members.set(owner.id, { userId: owner.id, roles: [], joinedAt, nick: null });
    guild.members.set(this.bot.id, {
      userId: this.bot.id,
      roles: [botRoleId],
      joinedAt,
      nick: null,
    });
    this.guilds.set(id, guild);
    return guild;
  }

  guild(id: Snowflake): GuildRec {
    const g = this.guilds.get(id);
    if (!g) throw new Error(`unknown guild ${id}`);
    return g;
  }

  addRole(guildId: Snowflake, o: { name: string; permissions?: bigint | string }): RoleRec {
    const guild = this.guild(guildId);
    const role: RoleRec = {
      id: this.ids.next(),
      guildId,
      name: o.name,
      permissions: BigInt(o.permissions ?? 0n),
      position: guild.roles.size,
      managed: false,
    };
    guild.roles.set(role.id, role);
    return role;
  }

  // ---- channels -------------------------------------------------------------------------

  private newChannel(fields: Partial<ChannelRec> & Pick<ChannelRec, "type" | "name">): ChannelRec {
    const rec: ChannelRec = {
      id: this.ids.next(),
      guildId: null,
      parentId: null,
      topic: null,
      position: this.channelPosition++,
      permissionOverwrites: [],
      availableTags: [],
      archived: false,
      locked: false,
      invitable: true,
      appliedTags: [],
      autoArchiveDuration: 1440,
      archiveTimestamp: null,
      ownerId: null,
      memberIds: new Set(),
      renames: 0,
      recipientId: null,
      deleted: false,
      createdAt: Date.now(),
      lastMessageId: null,
      messageCount: 0,
      ...fields,
    };
    this.channels.set(rec.id, rec);
    this.messages.set(rec.id, []);
    return rec;
  }

  addChannel(guildId: Snowflake, o: AddChannelOptions): ChannelRec {
    const guild = this.guild(guildId);
    const type = o.type ?? 0;
    const ch = this.newChannel({ type, name: o.name, guildId, parentId: o.parentId ?? null });
    if (o.id) {
      this.channels.delete(ch.id);
      this.messages.delete(ch.id);
      ch.id = o.id;
      this.channels.set(ch.id, ch);
      this.messages.set(ch.id, []);
    }
    ch.topic = o.topic ?? null;
    if (o.private) {
      ch.permissionOverwrites.push(
        { id: guild.id, type: 0, allow: 0n, deny: Perm.ViewChannel },
        { id: this.bot.id, type: 1, allow: Perm.ViewChannel, deny: 0n },
      );
    }
    for (const roleId of o.allowRoles ?? []) {
      ch.permissionOverwrites.push({ id: roleId, type: 0, allow: Perm.ViewChannel, deny: 0n });
    }
    ch.availableTags = (o.tags ?? []).map(
      (t): ForumTag => ({
        id: this.ids.next(),
        name: t.name,
        moderated: t.moderated ?? false,
        emoji_id: null,
        emoji_name: null,
      }),
    );
    return ch;
  }

  channel(id: Snowflake): ChannelRec | undefined {
    return this.channels.get(id);
  }

  createThread(parent: ChannelRec, o: NewThreadOptions): ChannelRec {
    const th = this.newChannel({
      type: o.type,
      name: o.name,
      guildId: parent.guildId,
      parentId: parent.id,
      ownerId: o.ownerId,
      invitable: o.type === 12 ? (o.invitable ?? true) : true,
      autoArchiveDuration: o.autoArchiveDuration ?? 1440,
      archiveTimestamp: new Date().toISOString(),
      appliedTags: o.appliedTags ?? [],
    });
    if (o.id) {
      this.channels.delete(th.id);
      this.messages.delete(th.id);
      th.id = o.id;
      this.channels.set(th.id, th);
      this.messages.set(th.id, []);
    }
    th.memberIds.add(o.ownerId);
    return th;
  }

  threadsIn(parentId: Snowflake): ChannelRec[] {
    return [...this.channels.values()].filter(
      (c) => c.parentId === parentId && isThread(c.type) && !c.deleted,
    );
  }

  ensureDM(userId: Snowflake): ChannelRec {
    this.user(userId);
    const existing = this.dmByUser.get(userId);
    if (existing) return this.channels.get(existing) as ChannelRec;
    const dm = this.newChannel({ type: 1, name: "", recipientId: userId });
    this.dmByUser.set(userId, dm.id);
    return dm;
  }

  guildOf(channel: ChannelRec): GuildRec | undefined {
    return channel.guildId ? this.guilds.get(channel.guildId) : undefined;
  }

  /** Permissions of a user in a channel (DMs: what a DM allows). */
  permissionsIn(channel: ChannelRec, userId: Snowflake): bigint {
    const guild = this.guildOf(channel);
    if (!guild) return DM_PERMISSIONS;
    if (!guild.members.has(userId)) return 0n;
    return channelPermissions(guild, userId, channel, (id) => this.channels.get(id));
  }

  // ---- messages and files ---------------------------------------------------------------

  storeMessage(channel: ChannelRec, m: NewMessage): MessageRec {
    const rec: MessageRec = {
      id: this.ids.next(),
      channelId: channel.id,
      guildId: channel.guildId,
      content: "",
      embeds: [],
      components: [],
      attachments: [],
      nonce: null,
      flags: 0,
      type: 0,
      allowedMentions: undefined,
      messageReference: null,
      mentionIds: [],
      mentionRoleIds: [],
      mentionEveryone: false,
      createdAt: Date.now(),
      editedAt: null,
      deletedAt: null,
      ephemeral: false,
      interactionId: null,
      interactionMetadata: null,
      webhookId: null,
      threadId: null,
      tts: false,
      ...m,
    };
    (this.messages.get(channel.id) as MessageRec[]).push(rec);
    this.messageIndex.set(rec.id, rec);
    if (!rec.ephemeral) {
      channel.lastMessageId = rec.id;
      if (isThread(channel.type)) channel.messageCount++;
    }
    return rec;
  }

  /** A message that exists (not deleted) in that channel. */
  message(channelId: Snowflake, messageId: Snowflake): MessageRec | undefined {
    const m = this.messageIndex.get(messageId);
    return m && m.channelId === channelId && m.deletedAt === null ? m : undefined;
  }

  /** Visible messages of a channel, oldest first (no deleted, no ephemeral). */
  visibleMessages(channelId: Snowflake): MessageRec[] {
    return (this.messages.get(channelId) ?? [])
      .filter((m) => m.deletedAt === null && !m.ephemeral)
      .sort((a, b) => compareIds(a.id, b.id));
  }

  storeAttachment(channelId: Snowflake, file: FakeFile): AttachmentRec {
    const data =
      typeof file.data === "string" ? Buffer.from(file.data, "utf8") : Buffer.from(file.data);
    const id = this.ids.next();
    const filename = file.filename.replace(/[/\\]/g, "_") || "unknown";
    const att: AttachmentRec = {
      id,
      filename,
      size: data.length,
      contentType: file.contentType || guessType(filename),
      url: `${this.origin()}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
      data,
    };
    if (file.description !== undefined) att.description = file.description;
    this.attachments.set(`${channelId}/${id}`, att);
    return att;
  }
}

function guessType(filename: string): string {
  const ext = filename.slice(filename.lastIndexOf(".") + 1).toLowerCase();
  const types: Record<string, string> = {
    png: "image/png",
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    gif: "image/gif",
    webp: "image/webp",
    txt: "text/plain; charset=utf-8",
    pdf: "application/pdf",
    json: "application/json",
  };
  return types[ext] ?? "application/octet-stream";
}
