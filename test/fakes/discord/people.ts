// What people do in the fake world: write (DMs, channels, threads), edit, delete, and manage
// threads by hand. Each stores the change and sends the gateway event Discord would send.
import type { Core } from "./core.ts";
import { channelEvent, messageCreate, messageDelete, messageUpdate } from "./events.ts";
import { mentionsOf } from "./messages.ts";
import { has, isThread, Perm } from "./permissions.ts";
import type { ChannelRec, FakeFile, MessageRec } from "./types.ts";

export interface UserSendOptions {
  attachments?: FakeFile[];
  /** Prefixes "<@bot> " unless the content already mentions the bot. */
  mentionBot?: boolean;
  /** Message type: 0 default; system types such as 7 (member join) or 4 (channel name change). */
  type?: number;
  /** Reply to a message in the same channel. */
  replyTo?: string;
  /** Embeds the message carries (a link preview, another bot's card). */
  embeds?: unknown[];
}

function author(core: Core, userId: string): MessageRec["author"] {
  const u = core.world.user(userId);
  return { id: u.id, username: u.username, global_name: u.globalName };
}

function store(core: Core, ch: ChannelRec, userId: string, content: string, o: UserSendOptions) {
  let text = content;
  const botMention = `<@${core.world.bot.id}>`;
  if (o.mentionBot && !text.includes(botMention)) text = `${botMention} ${text}`;
  let reference: MessageRec["messageReference"] = null;
  let repliedAuthor: string | undefined;
  if (o.replyTo) {
    const target = core.world.message(ch.id, o.replyTo);
    if (!target) throw new Error(`no message ${o.replyTo} in channel ${ch.id}`);
    reference = { message_id: target.id, channel_id: ch.id };
    if (ch.guildId) reference.guild_id = ch.guildId;
    repliedAuthor = target.author.id;
  }
  const m = core.world.storeMessage(ch, {
    author: author(core, userId),
    byBot: false,
    content: text,
    attachments: (o.attachments ?? []).map((f) => core.world.storeAttachment(ch.id, f)),
    ...(o.embeds ? { embeds: o.embeds } : {}),
    type: o.type ?? (reference ? 19 : 0),
    messageReference: reference,
    ...mentionsOf(core, text, undefined, repliedAuthor),
  });
  messageCreate(core, m);
  return m;
}

/** A DM to the bot (channel_type 1, no guild_id); the DM channel appears on first use. */
export function userSendsDM(core: Core, userId: string, content: string, o: UserSendOptions = {}) {
  const dm = core.world.ensureDM(userId);
  core.world.wroteToBot.add(userId);
  return store(core, dm, userId, content, o);
}

/** A message in a guild text channel or thread, if that person could post there. */
export function userSends(
  core: Core,
  channelId: string,
  userId: string,
  content: string,
  o: UserSendOptions = {},
): MessageRec {
  const ch = core.world.channel(channelId);
  if (!ch || ch.deleted) throw new Error(`unknown channel ${channelId}`);
  if (ch.type === 1) {
    if (ch.recipientId !== userId) throw new Error(`DM ${channelId} is not ${userId}'s`);
    return userSendsDM(core, userId, content, o);
  }
  const guild = core.world.guildOf(ch);
  if (!guild?.members.has(userId)) {
    throw new Error(`user ${userId} is not a member of guild ${ch.guildId}: call addMember first`);
  }
  if (ch.type !== 0 && ch.type !== 5 && !isThread(ch.type)) {
    throw new Error(`channel ${channelId} (type ${ch.type}) takes no messages`);
  }
  const perms = core.world.permissionsIn(ch, userId);
  const send = isThread(ch.type) ? Perm.SendMessagesInThreads : Perm.SendMessages;
  if (!has(perms, Perm.ViewChannel | send)) {
    throw new Error(`user ${userId} may not post in ${channelId} (permissions ${perms})`);
  }
  if (isThread(ch.type)) {
    const manage = has(perms, Perm.ManageThreads);
    if (ch.type === 12 && !ch.memberIds.has(userId) && !manage) {
      throw new Error(`user ${userId} is not in private thread ${channelId}`);
    }
    if (ch.locked && !manage) throw new Error(`thread ${channelId} is locked`);
    if (ch.archived) {
      // A member's message unarchives the thread (Discord sends THREAD_UPDATE first).
      ch.archived = false;
      ch.archiveTimestamp = new Date().toISOString();
      channelEvent(core, "UPDATE", ch);
    }
    ch.memberIds.add(userId);
  }
  return store(core, ch, userId, content, o);
}

export function userEdits(core: Core, channelId: string, messageId: string, content: string) {
  const m = core.world.message(channelId, messageId);
  if (!m) throw new Error(`no message ${messageId} in channel ${channelId}`);
  if (m.byBot) throw new Error(`message ${messageId} is the bot's: edit it over REST`);
  m.content = content;
  m.editedAt = Date.now();
  Object.assign(m, mentionsOf(core, content, undefined));
  messageUpdate(core, m);
  return m;
}

export function userDeletes(core: Core, channelId: string, messageId: string): void {
  const m = core.world.message(channelId, messageId);
  if (!m) throw new Error(`no message ${messageId} in channel ${channelId}`);
  m.deletedAt = Date.now();
  messageDelete(core, m);
}

function thread(core: Core, id: string): ChannelRec {
  const th = core.world.channel(id);
  if (!th || !isThread(th.type)) throw new Error(`unknown thread ${id}`);
  return th;
}

export function deleteThreadByHand(core: Core, threadId: string): void {
  const th = thread(core, threadId);
  th.deleted = true;
  channelEvent(core, "DELETE", th);
}

export function archiveThreadByHand(core: Core, threadId: string, o: { locked?: boolean } = {}) {
  const th = thread(core, threadId);
  th.archived = true;
  if (o.locked !== undefined) th.locked = o.locked;
  th.archiveTimestamp = new Date().toISOString();
  channelEvent(core, "UPDATE", th);
}
