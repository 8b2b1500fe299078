// Discord's permission computation: base (roles) then channel overwrites (@everyone, roles, member).
import { PermissionFlagsBits as P } from "discord-api-types/v10";
import type { ChannelRec, GuildRec, Snowflake } from "./types.ts";

export { P as Perm };

export const ALL_PERMISSIONS = Object.values(P).reduce((a, b) => a | b, 0n);

/** What a fresh server gives everyone: read, talk, use threads and commands. */
export const EVERYONE_DEFAULT =
  P.ViewChannel |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.ReadMessageHistory |
  P.AddReactions |
  P.UseApplicationCommands;

/** The bot's role by default: what a support bot is usually invited with (no Administrator). */
export const BOT_DEFAULT =
  EVERYONE_DEFAULT |
  P.EmbedLinks |
  P.AttachFiles |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.ManageThreads |
  P.ManageMessages |
  P.ManageChannels |
  P.MentionEveryone |
  P.UseExternalEmojis;

/** Roughly what an app gets in a DM with it (app_permissions of DM interactions). */
export const DM_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.ReadMessageHistory |
  P.EmbedLinks |
  P.AttachFiles |
  P.AddReactions |
  P.UseExternalEmojis |
  P.MentionEveryone |
  P.UseApplicationCommands;

export function basePermissions(guild: GuildRec, userId: Snowflake): bigint {
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  const member = guild.members.get(userId);
  let perms = guild.roles.get(guild.id)?.permissions ?? 0n;
  for (const roleId of member?.roles ?? []) perms |= guild.roles.get(roleId)?.permissions ?? 0n;
  return perms & P.Administrator ? ALL_PERMISSIONS : perms;
}

/**
 * Permissions of `userId` in `channel` (threads use their parent's). `parent` resolves a thread's
 * parent channel.
 */
export function channelPermissions(
  guild: GuildRec,
  userId: Snowflake,
  channel: ChannelRec,
  parent: (id: Snowflake) => ChannelRec | undefined,
): bigint {
  const base = basePermissions(guild, userId);
  if (base === ALL_PERMISSIONS) return base;
  const target = isThread(channel.type) && channel.parentId ? parent(channel.parentId) : channel;
  const overwrites = target?.permissionOverwrites ?? [];
  let perms = base;
  const everyone = overwrites.find((o) => o.id === guild.id);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  const roles = new Set(guild.members.get(userId)?.roles ?? []);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && roles.has(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === userId);
  if (own) perms = (perms & ~own.deny) | own.allow;
  // Implicit rules: no View Channel means nothing; no Send Messages drops what hangs off it.
  if (!(perms & P.ViewChannel)) return 0n;
  if (!(perms & P.SendMessages)) {
    perms &= ~(P.MentionEveryone | P.SendTTSMessages | P.AttachFiles | P.EmbedLinks);
  }
  return perms;
}

export function isThread(type: number): boolean {
  return type === 10 || type === 11 || type === 12;
}

export function has(perms: bigint, need: bigint): boolean {
  return (perms & need) === need;
}
