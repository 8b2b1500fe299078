// World records → Discord API objects (users, members, roles, channels, messages, guilds).
import { isThread } from "./permissions.ts";
import type { World } from "./state.ts";
import type {
  AttachmentRec,
  ChannelRec,
  GuildRec,
  MemberRec,
  MessageRec,
  RoleRec,
  UserRec,
} from "./types.ts";

type Json = Record<string, unknown>;

export function apiUser(u: Pick<UserRec, "id" | "username" | "globalName" | "bot">): Json {
  const out: Json = {
    id: u.id,
    username: u.username,
    discriminator: "0",
    global_name: u.globalName,
    avatar: null,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
  if (u.bot) out.bot = true;
  return out;
}

export function apiMember(
  world: World,
  guild: GuildRec,
  m: MemberRec,
  o: { withUser?: boolean; permissions?: bigint } = {},
): Json {
  const out: Json = {
    nick: m.nick,
    avatar: null,
    banner: null,
    roles: m.roles.filter((r) => r !== guild.id),
    joined_at: m.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
  if (o.withUser !== false) out.user = apiUser(world.user(m.userId));
  if (o.permissions !== undefined) out.permissions = o.permissions.toString();
  return out;
}

export function apiRole(r: RoleRec): Json {
  const out: Json = {
    id: r.id,
    name: r.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: r.position,
    permissions: r.permissions.toString(),
    managed: r.managed,
    mentionable: false,
    flags: 0,
  };
  if (r.managed) out.tags = { bot_id: r.name };
  return out;
}

export function apiChannel(world: World, ch: ChannelRec): Json {
  if (ch.type === 1) {
    return {
      id: ch.id,
      type: 1,
      last_message_id: ch.lastMessageId,
      flags: 0,
      recipients: ch.recipientId ? [apiUser(world.user(ch.recipientId))] : [],
    };
  }
  if (isThread(ch.type)) {
    const meta: Json = {
      archived: ch.archived,
      auto_archive_duration: ch.autoArchiveDuration,
      archive_timestamp: ch.archiveTimestamp,
      locked: ch.locked,
      create_timestamp: new Date(ch.createdAt).toISOString(),
    };
    if (ch.type === 12) meta.invitable = ch.invitable;
    const out: Json = {
      id: ch.id,
      type: ch.type,
      guild_id: ch.guildId,
      parent_id: ch.parentId,
      owner_id: ch.ownerId,
      name: ch.name,
      last_message_id: ch.lastMessageId,
      message_count: ch.messageCount,
      member_count: ch.memberIds.size,
      total_message_sent: ch.messageCount,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: meta,
    };
    const parent = ch.parentId ? world.channel(ch.parentId) : undefined;
    if (parent?.type === 15) out.applied_tags = [...ch.appliedTags];
    return out;
  }
  const out: Json = {
    id: ch.id,
    type: ch.type,
    guild_id: ch.guildId,
    name: ch.name,
    position: ch.position,
    permission_overwrites: ch.permissionOverwrites.map((o) => ({
      id: o.id,
      type: o.type,
      allow: o.allow.toString(),
      deny: o.deny.toString(),
    })),
    parent_id: ch.parentId,
    topic: ch.topic,
    nsfw: false,
    last_message_id: ch.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
  };
  if (ch.type === 15) {
    out.available_tags = ch.availableTags.map((t) => ({ ...t }));
    out.default_reaction_emoji = null;
    out.default_sort_order = null;
    out.default_forum_layout = 0;
    out.default_thread_rate_limit_per_user = 0;
  }
  return out;
}

export function apiAttachment(a: AttachmentRec): Json {
  const out: Json = {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url: a.url,
    proxy_url: a.url,
    content_type: a.contentType,
  };
  if (a.description !== undefined) out.description = a.description;
  return out;
}

export interface MessageView {
  /** Gateway dispatch: adds guild_id, member, channel_type, mention members. */
  gateway?: boolean;
  /** Include referenced_message (one level). */
  withReference?: boolean;
}

export function apiMessage(world: World, m: MessageRec, view: MessageView = {}): Json {
  const channel = world.channel(m.channelId);
  const guild = channel ? world.guildOf(channel) : undefined;
  const author = world.users.get(m.author.id);
  const out: Json = {
    id: m.id,
    channel_id: m.channelId,
    author: author ? apiUser(author) : { ...m.author, discriminator: "0", avatar: null },
    content: m.content,
    timestamp: new Date(m.createdAt).toISOString(),
    edited_timestamp: m.editedAt === null ? null : new Date(m.editedAt).toISOString(),
    tts: m.tts,
    mention_everyone: m.mentionEveryone,
    mentions: m.mentionIds.flatMap((id) => {
      const u = world.users.get(id);
      if (!u) return [];
      const user = apiUser(u);
      const member = view.gateway ? guild?.members.get(id) : undefined;
      if (guild && member) user.member = apiMember(world, guild, member, { withUser: false });
      return [user];
    }),
    mention_roles: [...m.mentionRoleIds],
    attachments: m.attachments.map(apiAttachment),
    embeds: m.embeds,
    pinned: false,
    type: m.type,
    flags: m.flags,
    components: m.components,
  };
  if (m.nonce !== null) out.nonce = m.nonce;
  if (m.webhookId) {
    out.webhook_id = m.webhookId;
    out.application_id = world.applicationId;
  }
  if (m.messageReference) {
    out.message_reference = { type: 0, ...m.messageReference };
    const refId = m.messageReference.message_id;
    const ref = refId ? world.messageIndex.get(refId) : undefined;
    if (view.withReference !== false && m.type === 19) {
      out.referenced_message =
        ref && ref.deletedAt === null ? apiMessage(world, ref, { withReference: false }) : null;
    }
  }
  if (m.threadId) {
    const th = world.channel(m.threadId);
    if (th) out.thread = apiChannel(world, th);
  }
  if (m.interactionMetadata) {
    const meta = m.interactionMetadata;
    out.interaction_metadata = meta;
    // The deprecated `interaction` field discord.js still reads.
    out.interaction = { id: meta.id, type: meta.type, name: meta.name ?? "", user: meta.user };
  }
  if (channel && isThread(channel.type)) out.position = Math.max(0, channel.messageCount - 1);
  if (view.gateway) {
    out.channel_type = channel?.type ?? 0;
    if (guild) {
      out.guild_id = guild.id;
      const member = guild.members.get(m.author.id);
      if (member && !m.webhookId) out.member = apiMember(world, guild, member, { withUser: false });
    }
  }
  return out;
}

export function apiGuild(g: GuildRec): Json {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [...g.roles.values()].map(apiRole),
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: "en-US",
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    max_members: 500_000,
    max_video_channel_users: 25,
  };
}

export function guildChannels(world: World, g: GuildRec): ChannelRec[] {
  return [...world.channels.values()].filter(
    (c) => c.guildId === g.id && !c.deleted && !isThread(c.type),
  );
}

export function activeThreads(world: World, g: GuildRec): ChannelRec[] {
  return [...world.channels.values()].filter(
    (c) => c.guildId === g.id && !c.deleted && isThread(c.type) && !c.archived,
  );
}

/** GUILD_CREATE as the bot receives it: everything, members only the bot (no presences intent). */
export function guildCreate(world: World, g: GuildRec): Json {
  const bot = g.members.get(world.bot.id);
  return {
    ...apiGuild(g),
    joined_at: bot?.joinedAt ?? new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: g.members.size,
    voice_states: [],
    members: bot ? [apiMember(world, g, bot)] : [],
    channels: guildChannels(world, g).map((c) => apiChannel(world, c)),
    threads: activeThreads(world, g).map((c) => apiChannel(world, c)),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function threadMember(threadId: string, userId: string, joinedAt = Date.now()): Json {
  return {
    id: threadId,
    user_id: userId,
    join_timestamp: new Date(joinedAt).toISOString(),
    flags: 0,
  };
}
