// What a member may do in a channel, computed as Discord does (discord-api-docs,
// topics/permissions: base from @everyone and the member's roles, then the channel's
// overwrites for @everyone, the roles, and the member). Used by the preflight (does the bot
// have what it needs?) and by isAgent when no agent role is set (who can see the agent channel?).
import type { REST } from "@discordjs/rest";
import {
  type APIChannel,
  type APIGuild,
  type APIGuildMember,
  type APIOverwrite,
  type APIRole,
  PermissionFlagsBits,
  Routes,
} from "discord-api-types/v10";

const ALL = (1n << 53n) - 1n;

export function permissionsIn(
  guild: { id: string; owner_id: string },
  roles: APIRole[],
  member: { userId: string; roles: string[] },
  overwrites: APIOverwrite[],
): bigint {
  if (guild.owner_id === member.userId) return ALL;
  const byId = new Map(roles.map((r) => [r.id, BigInt(r.permissions)]));
  let perms = byId.get(guild.id) ?? 0n;
  for (const id of member.roles) perms |= byId.get(id) ?? 0n;
  if (perms & PermissionFlagsBits.Administrator) return ALL;
  const everyone = overwrites.find((o) => o.id === guild.id);
  if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let deny = 0n;
  let allow = 0n;
  for (const o of overwrites)
    if (o.type === 0 && member.roles.includes(o.id)) {
      deny |= BigInt(o.deny);
      allow |= BigInt(o.allow);
    }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === member.userId);
  if (own) perms = (perms & ~BigInt(own.deny)) | BigInt(own.allow);
  return perms;
}

/** Names of the flags in `needed` that `have` lacks ("Send Messages", …). */
export function missing(have: bigint, needed: Record<string, bigint>): string[] {
  return Object.entries(needed)
    .filter(([, bit]) => (have & bit) === 0n)
    .map(([name]) => name);
}

/** A guild's roles and a channel, read once per minute: permission checks need both. */
export class GuildView {
  private cache = new Map<string, { at: number; value: unknown }>();

  constructor(
    private readonly rest: REST,
    private readonly ttlMs = 60_000,
  ) {}

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value as T;
    const value = await load();
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }

  channel(id: string): Promise<APIChannel> {
    return this.cached(`c:${id}`, () => this.rest.get(Routes.channel(id)) as Promise<APIChannel>);
  }

  guild(id: string): Promise<APIGuild> {
    return this.cached(`g:${id}`, () => this.rest.get(Routes.guild(id)) as Promise<APIGuild>);
  }

  roles(guildId: string): Promise<APIRole[]> {
    return this.cached(
      `r:${guildId}`,
      () => this.rest.get(Routes.guildRoles(guildId)) as Promise<APIRole[]>,
    );
  }

  member(guildId: string, userId: string): Promise<APIGuildMember> {
    return this.cached(
      `m:${guildId}:${userId}`,
      () => this.rest.get(Routes.guildMember(guildId, userId)) as Promise<APIGuildMember>,
    );
  }

  /** A member's permissions in a guild channel (a thread counts as its parent). */
  async permissions(channelId: string, userId: string): Promise<bigint> {
    const channel = (await this.channel(channelId)) as APIChannel & {
      guild_id?: string;
      parent_id?: string | null;
      permission_overwrites?: APIOverwrite[];
      type: number;
    };
    if (!channel.guild_id) return 0n;
    const [guild, roles, member] = await Promise.all([
      this.guild(channel.guild_id),
      this.roles(channel.guild_id),
      this.member(channel.guild_id, userId),
    ]);
    return permissionsIn(
      guild,
      roles,
      { userId, roles: member.roles },
      channel.permission_overwrites ?? [],
    );
  }

  forget(): void {
    this.cache.clear();
  }
}

/** What the bot is invited with (README: Connecting Discord builds the invite URL from it). */
export const BOT_PERMISSIONS: Record<string, bigint> = {
  "View Channels": PermissionFlagsBits.ViewChannel,
  "Send Messages": PermissionFlagsBits.SendMessages,
  "Send Messages in Threads": PermissionFlagsBits.SendMessagesInThreads,
  "Create Private Threads": PermissionFlagsBits.CreatePrivateThreads,
  "Manage Threads": PermissionFlagsBits.ManageThreads,
  "Embed Links": PermissionFlagsBits.EmbedLinks,
  "Attach Files": PermissionFlagsBits.AttachFiles,
  "Read Message History": PermissionFlagsBits.ReadMessageHistory,
  // Lets the card's role mention add the agents to a ticket's private thread; customer text is
  // still sent with allowed_mentions { parse: [] }, so it can never ping anyone.
  "Mention Everyone": PermissionFlagsBits.MentionEveryone,
};

export const BOT_PERMISSIONS_BITS = Object.values(BOT_PERMISSIONS).reduce((a, b) => a | b, 0n);
