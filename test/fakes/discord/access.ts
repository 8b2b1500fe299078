// What the bot may touch over REST: channel lookup (10003), visibility (50001), permissions (50013).
import type { Core } from "./core.ts";
import { missingAccess, missingPermissions, unknownChannel } from "./errors.ts";
import { has, isThread, Perm } from "./permissions.ts";
import type { ChannelRec } from "./types.ts";

/** A channel the bot can see: exists, not deleted, bot still in the guild, View Channel. */
export function visibleChannel(core: Core, id: string): ChannelRec {
  const ch = core.world.channel(id);
  if (!ch || ch.deleted) throw unknownChannel();
  if (ch.type === 1) {
    if (!ch.recipientId) throw unknownChannel();
    return ch;
  }
  const guild = core.world.guildOf(ch);
  if (!guild?.botPresent) throw missingAccess();
  const perms = botPerms(core, ch);
  if (!has(perms, Perm.ViewChannel)) throw missingAccess();
  // A private thread is visible to its members and to those who manage threads.
  if (ch.type === 12 && !ch.memberIds.has(core.world.bot.id) && !has(perms, Perm.ManageThreads)) {
    throw missingAccess();
  }
  return ch;
}

export function botPerms(core: Core, ch: ChannelRec): bigint {
  return core.world.permissionsIn(ch, core.world.bot.id);
}

export function requirePerms(core: Core, ch: ChannelRec, need: bigint): void {
  if (ch.type === 1) return;
  if (!has(botPerms(core, ch), need)) throw missingPermissions();
}

/** The permission that lets the bot post here. */
export function sendPermission(ch: ChannelRec): bigint {
  return isThread(ch.type) ? Perm.SendMessagesInThreads : Perm.SendMessages;
}
