// The gateway events world changes produce, with the intent each needs. Events of a guild the
// bot has left are not sent.
import type { Core } from "./core.ts";
import { Intent } from "./intents.ts";
import { apiChannel, apiMember, apiMessage, apiRole, guildCreate } from "./payloads.ts";
import { isThread } from "./permissions.ts";
import type { ChannelRec, GuildRec, MessageRec } from "./types.ts";

function botSees(core: Core, guildId: string | null): boolean {
  return guildId === null || core.world.guilds.get(guildId)?.botPresent === true;
}

function messageMeta(core: Core, m: MessageRec) {
  return {
    intent: m.guildId ? Intent.GuildMessages : Intent.DirectMessages,
    // Content arrives without MessageContent in DMs, in the bot's own messages, and when the
    // message mentions the bot.
    content: {
      exempt: m.guildId === null || m.byBot || m.mentionIds.includes(core.world.bot.id),
    },
  };
}

export function messageCreate(core: Core, m: MessageRec): void {
  if (m.ephemeral || !botSees(core, m.guildId)) return;
  core.emit("MESSAGE_CREATE", apiMessage(core.world, m, { gateway: true }), messageMeta(core, m));
}

export function messageUpdate(core: Core, m: MessageRec): void {
  if (m.ephemeral || !botSees(core, m.guildId)) return;
  core.emit("MESSAGE_UPDATE", apiMessage(core.world, m, { gateway: true }), messageMeta(core, m));
}

export function messageDelete(core: Core, m: MessageRec): void {
  if (m.ephemeral || !botSees(core, m.guildId)) return;
  const d: Record<string, unknown> = { id: m.id, channel_id: m.channelId };
  if (m.guildId) d.guild_id = m.guildId;
  core.emit("MESSAGE_DELETE", d, messageMeta(core, m));
}

export function channelEvent(core: Core, kind: "CREATE" | "UPDATE" | "DELETE", ch: ChannelRec) {
  if (ch.type === 1 || !botSees(core, ch.guildId)) return;
  const prefix = isThread(ch.type) ? "THREAD" : "CHANNEL";
  const d =
    kind === "DELETE" && prefix === "THREAD"
      ? { id: ch.id, guild_id: ch.guildId, parent_id: ch.parentId, type: ch.type }
      : apiChannel(core.world, ch);
  if (kind === "CREATE" && prefix === "THREAD") d.newly_created = true;
  core.emit(`${prefix}_${kind}`, d, { intent: Intent.Guilds });
}

export function threadMembersUpdate(
  core: Core,
  th: ChannelRec,
  change: { added?: string[]; removed?: string[] },
): void {
  if (!botSees(core, th.guildId)) return;
  const d: Record<string, unknown> = {
    id: th.id,
    guild_id: th.guildId,
    member_count: th.memberIds.size,
  };
  if (change.added) {
    d.added_members = change.added.map((userId) => ({
      id: th.id,
      user_id: userId,
      join_timestamp: new Date().toISOString(),
      flags: 0,
    }));
  }
  if (change.removed) d.removed_member_ids = change.removed;
  // Discord sends others' thread membership changes only with GuildMembers.
  core.emit("THREAD_MEMBERS_UPDATE", d, { intent: Intent.GuildMembers });
}

export function guildCreateEvent(core: Core, g: GuildRec): void {
  core.emit("GUILD_CREATE", guildCreate(core.world, g), { intent: Intent.Guilds });
}

export function guildDelete(core: Core, g: GuildRec): void {
  // No `unavailable` field: the bot was removed (an outage would say unavailable: true).
  core.emit("GUILD_DELETE", { id: g.id }, { intent: Intent.Guilds });
}

export function roleEvent(core: Core, kind: "CREATE" | "UPDATE", g: GuildRec, roleId: string) {
  const role = g.roles.get(roleId);
  if (!role || !g.botPresent) return;
  core.emit(
    `GUILD_ROLE_${kind}`,
    { guild_id: g.id, role: apiRole(role) },
    { intent: Intent.Guilds },
  );
}

export function memberAdd(core: Core, g: GuildRec, userId: string): void {
  const m = g.members.get(userId);
  if (!m || !g.botPresent) return;
  core.emit(
    "GUILD_MEMBER_ADD",
    { ...apiMember(core.world, g, m), guild_id: g.id },
    { intent: Intent.GuildMembers },
  );
}

export function memberRemove(core: Core, g: GuildRec, userId: string): void {
  if (!g.botPresent) return;
  const user = core.world.user(userId);
  core.emit(
    "GUILD_MEMBER_REMOVE",
    {
      guild_id: g.id,
      user: {
        id: user.id,
        username: user.username,
        discriminator: "0",
        global_name: user.globalName,
        avatar: null,
      },
    },
    { intent: Intent.GuildMembers },
  );
}
