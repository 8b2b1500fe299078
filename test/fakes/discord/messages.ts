// Bot-authored messages: composing from a REST payload (mentions, attachments, references),
// the DM and archived-thread rules, nonce de-duplication, and edits.
import { requirePerms, sendPermission } from "./access.ts";
import type { Upload } from "./body.ts";
import type { Core } from "./core.ts";
import { cannotDM, emptyMessage, invalidField, nonTextChannel, threadArchived } from "./errors.ts";
import { channelEvent } from "./events.ts";
import { isThread, Perm } from "./permissions.ts";
import type { NewMessage } from "./state.ts";
import type { AttachmentRec, ChannelRec, MessageRec } from "./types.ts";
import { isEmptyMessage, validateMessage } from "./validate.ts";

type Obj = Record<string, unknown>;

const NONCE_WINDOW_MS = 5 * 60_000;
export const EPHEMERAL = 64;
export const LOADING = 128;
/** Flags a sender may set (suppress embeds, ephemeral, suppress notifications, components v2). */
const SETTABLE_FLAGS = 4 | 64 | 4096 | (1 << 15);

interface Mentions {
  mentionIds: string[];
  mentionRoleIds: string[];
  mentionEveryone: boolean;
}

/** Who a text mentions, as filtered by allowed_mentions (absent: everything parses). */
export function mentionsOf(
  core: Core,
  content: string,
  allowed: unknown,
  repliedAuthor?: string,
): Mentions {
  const a = (allowed ?? undefined) as
    | { parse?: string[]; users?: string[]; roles?: string[]; replied_user?: boolean }
    | undefined;
  const parse = new Set(a ? (a.parse ?? []) : ["users", "roles", "everyone"]);
  const users = new Set<string>();
  for (const m of content.matchAll(/<@!?(\d+)>/g)) {
    const id = m[1] as string;
    if (core.world.users.has(id) && (parse.has("users") || a?.users?.includes(id))) users.add(id);
  }
  const roles = new Set<string>();
  for (const m of content.matchAll(/<@&(\d+)>/g)) {
    const id = m[1] as string;
    if (parse.has("roles") || a?.roles?.includes(id)) roles.add(id);
  }
  // A reply pings its author unless allowed_mentions says otherwise.
  if (repliedAuthor && (a ? a.replied_user === true : true)) users.add(repliedAuthor);
  return {
    mentionIds: [...users],
    mentionRoleIds: [...roles],
    mentionEveryone: parse.has("everyone") && /@(everyone|here)/.test(content),
  };
}

function uploadIndex(u: Upload, position: number): number {
  const m = /^files\[(\d+)\]$/.exec(u.field);
  return m ? Number(m[1]) : position;
}

/**
 * Attachments of a message from `payload.attachments` (entries whose id is an upload index, or
 * the id of an attachment the message already has) and the uploaded files.
 */
export function resolveAttachments(
  core: Core,
  channelId: string,
  payload: Obj,
  uploads: Upload[],
  existing: AttachmentRec[] = [],
): AttachmentRec[] | undefined {
  const meta = Array.isArray(payload.attachments) ? (payload.attachments as Obj[]) : undefined;
  if (!meta && uploads.length === 0) return undefined;
  const byIndex = new Map(uploads.map((u, i) => [uploadIndex(u, i), u]));
  const store = (u: Upload, m?: Obj) =>
    core.world.storeAttachment(channelId, {
      filename: typeof m?.filename === "string" ? m.filename : u.filename,
      data: u.data,
      contentType: u.contentType,
      ...(typeof m?.description === "string" ? { description: m.description } : {}),
    });
  if (!meta) return [...existing, ...uploads.map((u) => store(u))];
  const out: AttachmentRec[] = [];
  const used = new Set<Upload>();
  for (const [i, m] of meta.entries()) {
    const id = String(m.id ?? "");
    const kept = existing.find((e) => e.id === id);
    if (kept) {
      out.push(kept);
      continue;
    }
    const upload = byIndex.get(Number(id));
    if (!upload) {
      throw invalidField(`attachments.${i}.id`, "ATTACHMENT_NOT_FOUND", "Unknown attachment id");
    }
    used.add(upload);
    out.push(store(upload, m));
  }
  for (const u of uploads) if (!used.has(u)) out.push(store(u));
  return out;
}

/** The fields of a bot message built from a create payload (validated; nothing stored yet). */
export function composeBotMessage(
  core: Core,
  channel: ChannelRec,
  payload: Obj,
  uploads: Upload[],
): NewMessage & Pick<MessageRec, "flags" | "attachments"> {
  validateMessage(payload, { uploads: uploads.length });
  if (isEmptyMessage(payload, uploads.length)) throw emptyMessage();
  const content = typeof payload.content === "string" ? payload.content : "";
  let reference: MessageRec["messageReference"] = null;
  let repliedAuthor: string | undefined;
  const ref = payload.message_reference as Obj | undefined;
  if (ref?.message_id) {
    const target = core.world.message(String(ref.channel_id ?? channel.id), String(ref.message_id));
    if (!target && ref.fail_if_not_exists !== false) {
      throw invalidField(
        "message_reference",
        "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
        "Unknown message",
      );
    }
    if (target) {
      reference = { message_id: target.id, channel_id: target.channelId };
      if (target.guildId) reference.guild_id = target.guildId;
      repliedAuthor = target.author.id;
    }
  }
  const bot = core.world.bot;
  const fields: NewMessage & Pick<MessageRec, "flags" | "attachments"> = {
    author: { id: bot.id, username: bot.username, global_name: null, bot: true },
    byBot: true,
    content,
    embeds: Array.isArray(payload.embeds) ? (payload.embeds as unknown[]) : [],
    components: Array.isArray(payload.components) ? (payload.components as unknown[]) : [],
    attachments: resolveAttachments(core, channel.id, payload, uploads) ?? [],
    nonce: (payload.nonce as string | number | undefined) ?? null,
    flags: Number(payload.flags ?? 0) & SETTABLE_FLAGS,
    type: reference ? 19 : 0,
    allowedMentions: payload.allowed_mentions,
    messageReference: reference,
    tts: payload.tts === true,
    ...mentionsOf(core, content, payload.allowed_mentions, repliedAuthor),
  };
  fields.ephemeral = (fields.flags & EPHEMERAL) !== 0;
  return fields;
}

/** The checks of POST /channels/{id}/messages that are not about the payload. */
export function assertBotCanPost(core: Core, channel: ChannelRec, uploads: number): void {
  if (channel.type === 1) {
    const user = core.world.user(channel.recipientId as string);
    // Discord refuses DMs to people who closed them, or who share no server with the bot and
    // never wrote to it.
    const sharesGuild = [...core.world.guilds.values()].some(
      (g) => g.botPresent && g.members.has(user.id),
    );
    if (user.dmsClosed || (!sharesGuild && !core.world.wroteToBot.has(user.id))) throw cannotDM();
    return;
  }
  if (channel.type !== 0 && channel.type !== 5 && !isThread(channel.type)) throw nonTextChannel();
  requirePerms(core, channel, sendPermission(channel));
  if (uploads > 0) requirePerms(core, channel, Perm.AttachFiles);
  if (isThread(channel.type) && channel.locked) {
    if (channel.archived) throw threadArchived();
    // Only thread managers may post in a locked (open) thread.
    requirePerms(core, channel, Perm.ManageThreads);
  }
}

/** Posting into an archived (unlocked) thread unarchives it, as on Discord. */
export function unarchiveOnPost(core: Core, channel: ChannelRec): void {
  if (!isThread(channel.type) || !channel.archived) return;
  channel.archived = false;
  channel.archiveTimestamp = new Date().toISOString();
  channelEvent(core, "UPDATE", channel);
}

/** enforce_nonce: the bot's message with this nonce in this channel from the last 5 minutes. */
export function findByNonce(
  core: Core,
  channel: ChannelRec,
  nonce: unknown,
): MessageRec | undefined {
  if (nonce === undefined || nonce === null) return undefined;
  const since = Date.now() - NONCE_WINDOW_MS;
  return (core.world.messages.get(channel.id) ?? []).find(
    (m) =>
      m.byBot &&
      m.interactionId === null &&
      m.deletedAt === null &&
      m.createdAt >= since &&
      String(m.nonce) === String(nonce),
  );
}

/** Applies an edit payload (content, embeds, components, attachments, flags) in place. */
export function applyEdit(core: Core, m: MessageRec, payload: Obj, uploads: Upload[]): void {
  validateMessage({ flags: m.flags, ...payload }, { uploads: uploads.length });
  const next = {
    content: payload.content === undefined ? m.content : String(payload.content ?? ""),
    embeds: payload.embeds === undefined ? m.embeds : ((payload.embeds as unknown[] | null) ?? []),
    components:
      payload.components === undefined
        ? m.components
        : ((payload.components as unknown[] | null) ?? []),
    attachments:
      resolveAttachments(core, m.channelId, payload, uploads, m.attachments) ?? m.attachments,
  };
  if (isEmptyMessage(next, 0)) throw emptyMessage();
  Object.assign(m, next);
  if (payload.flags !== undefined) {
    // Only suppress-embeds can change on an edit; the other flags stay.
    m.flags = (m.flags & ~4) | (Number(payload.flags) & 4);
  }
  if (payload.allowed_mentions !== undefined) m.allowedMentions = payload.allowed_mentions;
  if (payload.content !== undefined) {
    Object.assign(m, mentionsOf(core, m.content, m.allowedMentions));
  }
  m.flags &= ~LOADING;
  m.editedAt = Date.now();
}
