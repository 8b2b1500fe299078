// /channels/{id}/messages: send (JSON or multipart, nonce + enforce_nonce), read history, get,
// edit, delete; typing.
import { botPerms, requirePerms, visibleChannel } from "../access.ts";
import { invalidField, missingPermissions, notAuthor, unknownMessage } from "../errors.ts";
import { messageCreate, messageDelete, messageUpdate } from "../events.ts";
import { compareIds } from "../ids.ts";
import {
  applyEdit,
  assertBotCanPost,
  composeBotMessage,
  findByNonce,
  unarchiveOnPost,
} from "../messages.ts";
import { apiMessage } from "../payloads.ts";
import { has, Perm } from "../permissions.ts";
import { noContent, type Router } from "../router.ts";

export function messageRoutes(r: Router): void {
  r.add("POST", "/channels/:id/messages", ({ core, params, body, uploads }) => {
    const ch = visibleChannel(core, params.id as string);
    assertBotCanPost(core, ch, uploads.length);
    if (body.enforce_nonce === true) {
      // Same author + channel + nonce within a few minutes: the earlier message, nothing new.
      const earlier = findByNonce(core, ch, body.nonce);
      if (earlier) return apiMessage(core.world, earlier);
    }
    const fields = composeBotMessage(core, ch, body, uploads);
    unarchiveOnPost(core, ch);
    const m = core.world.storeMessage(ch, {
      ...fields,
      ephemeral: false,
      flags: fields.flags & ~64,
    });
    addMentionedToPrivateThread(core, ch, m.mentionIds, m.mentionRoleIds);
    messageCreate(core, m);
    return apiMessage(core.world, m);
  });

  r.add("GET", "/channels/:id/messages", ({ core, params, query }) => {
    const ch = visibleChannel(core, params.id as string);
    if (ch.type !== 1 && !has(botPerms(core, ch), Perm.ReadMessageHistory)) return [];
    const limit = Number(query.get("limit") ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw invalidField(
        "limit",
        "NUMBER_TYPE_MAX",
        "int value should be less than or equal to 100.",
      );
    }
    const all = core.world.visibleMessages(ch.id); // oldest first
    const after = query.get("after");
    const before = query.get("before");
    const around = query.get("around");
    let picked = all.slice(-limit);
    if (after) picked = all.filter((m) => compareIds(m.id, after) > 0).slice(0, limit);
    else if (before) picked = all.filter((m) => compareIds(m.id, before) < 0).slice(-limit);
    else if (around) {
      const i = all.findIndex((m) => compareIds(m.id, around) >= 0);
      const at = i === -1 ? all.length : i;
      const start = Math.max(0, at - Math.floor(limit / 2));
      picked = all.slice(start, start + limit);
    }
    // Discord returns history newest first, whichever cursor is used.
    return picked.reverse().map((m) => apiMessage(core.world, m));
  });

  r.add("GET", "/channels/:id/messages/:messageId", ({ core, params }) => {
    const ch = visibleChannel(core, params.id as string);
    if (ch.type !== 1) requirePerms(core, ch, Perm.ReadMessageHistory);
    const m = core.world.message(ch.id, params.messageId as string);
    if (!m || m.ephemeral) throw unknownMessage();
    return apiMessage(core.world, m);
  });

  r.add("PATCH", "/channels/:id/messages/:messageId", ({ core, params, body, uploads }) => {
    const ch = visibleChannel(core, params.id as string);
    const m = core.world.message(ch.id, params.messageId as string);
    if (!m || m.ephemeral) throw unknownMessage();
    if (!m.byBot || m.webhookId) throw notAuthor();
    applyEdit(core, m, body, uploads);
    messageUpdate(core, m);
    return apiMessage(core.world, m);
  });

  r.add("DELETE", "/channels/:id/messages/:messageId", ({ core, params }) => {
    const ch = visibleChannel(core, params.id as string);
    const m = core.world.message(ch.id, params.messageId as string);
    if (!m || m.ephemeral) throw unknownMessage();
    const own = m.author.id === core.world.bot.id;
    if (!own && (ch.type === 1 || !has(botPerms(core, ch), Perm.ManageMessages))) {
      throw missingPermissions();
    }
    m.deletedAt = Date.now();
    messageDelete(core, m);
    return noContent();
  });

  r.add("POST", "/channels/:id/typing", ({ core, params }) => {
    visibleChannel(core, params.id as string);
    return noContent();
  });
}

/**
 * As on Discord, mentioning people in a private thread adds them to it; mentioning a role adds
 * the role's members (who can see the parent channel).
 */
function addMentionedToPrivateThread(
  core: Parameters<Parameters<Router["add"]>[2]>[0]["core"],
  ch: { type: number; guildId: string | null; memberIds: Set<string> },
  userIds: string[],
  roleIds: string[],
): void {
  if (ch.type !== 12 || !ch.guildId) return;
  for (const id of userIds) ch.memberIds.add(id);
  const guild = core.world.guilds.get(ch.guildId);
  if (!guild || roleIds.length === 0) return;
  for (const member of guild.members.values())
    if (member.roles.some((r) => roleIds.includes(r))) ch.memberIds.add(member.userId);
}
