// Threads: start one (without a message, from a message, or as a forum post), thread members,
// archived thread lists.
import { botPerms, requirePerms, visibleChannel } from "../access.ts";
import type { Core } from "../core.ts";
import {
  DiscordError,
  invalidField,
  missingAccess,
  threadArchived,
  unknownMember,
  unknownMessage,
} from "../errors.ts";
import { channelEvent, messageCreate, messageUpdate, threadMembersUpdate } from "../events.ts";
import { composeBotMessage } from "../messages.ts";
import { apiChannel, apiMessage, threadMember } from "../payloads.ts";
import { has, isThread, Perm } from "../permissions.ts";
import { noContent, type Router, reply } from "../router.ts";
import type { ChannelRec } from "../types.ts";
import { AUTO_ARCHIVE, validateThreadName } from "../validate.ts";

type Obj = Record<string, unknown>;

function autoArchive(body: Obj): number {
  const raw = body.auto_archive_duration;
  const v = raw === undefined || raw === null ? 1440 : Number(raw);
  if (!AUTO_ARCHIVE.has(v)) {
    throw invalidField(
      "auto_archive_duration",
      "BASE_TYPE_CHOICES",
      "Value must be one of {60, 1440, 4320, 10080}.",
    );
  }
  return v;
}

/** The created thread as the REST answer (with the bot's own thread member). */
function threadReply(core: Core, th: ChannelRec, extra: Obj = {}) {
  return reply(201, {
    ...apiChannel(core.world, th),
    member: threadMember(th.id, core.world.bot.id),
    ...extra,
  });
}

function forumPost(
  core: Core,
  forum: ChannelRec,
  body: Obj,
  uploads: Parameters<typeof composeBotMessage>[3],
) {
  requirePerms(core, forum, Perm.SendMessages);
  const message = body.message as Obj | undefined;
  if (!message || typeof message !== "object") {
    throw invalidField("message", "BASE_TYPE_REQUIRED", "This field is required");
  }
  const known = new Set(forum.availableTags.map((t) => t.id));
  const tags = ((body.applied_tags as unknown[] | undefined) ?? []).map(String);
  if (tags.length > 5 || tags.some((t) => !known.has(t))) {
    throw invalidField("applied_tags", "BASE_TYPE_INVALID", "Invalid forum tag(s)");
  }
  const name = validateThreadName(body.name);
  const fields = composeBotMessage(core, forum, message, uploads);
  // A forum post is a public thread whose starter message has the thread's id.
  const id = core.world.ids.next();
  const th = core.world.createThread(forum, {
    id,
    name,
    type: 11,
    ownerId: core.world.bot.id,
    autoArchiveDuration: autoArchive(body),
    appliedTags: tags,
  });
  for (const a of fields.attachments ?? []) {
    // Attachments were stored under the forum's id; move them to the thread.
    core.world.attachments.delete(`${forum.id}/${a.id}`);
    a.url = a.url.replace(`/attachments/${forum.id}/`, `/attachments/${th.id}/`);
    core.world.attachments.set(`${th.id}/${a.id}`, a);
  }
  channelEvent(core, "CREATE", th);
  const starter = core.world.storeMessage(th, { ...fields, id, ephemeral: false });
  messageCreate(core, starter);
  return threadReply(core, th, { message: apiMessage(core.world, starter) });
}

export function threadRoutes(r: Router): void {
  r.add("POST", "/channels/:id/threads", ({ core, params, body, uploads }) => {
    const parent = visibleChannel(core, params.id as string);
    if (parent.type === 15) return forumPost(core, parent, body, uploads);
    if (parent.type !== 0 && parent.type !== 5) {
      throw invalidField(
        "type",
        "BASE_TYPE_CHOICES",
        "Threads can only be started in text or forum channels",
      );
    }
    // Without a type, Discord (v9/v10) starts a private thread.
    const type = Number(body.type ?? 12);
    if (type !== 11 && type !== 12 && type !== 10) {
      throw invalidField("type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.");
    }
    requirePerms(core, parent, type === 12 ? Perm.CreatePrivateThreads : Perm.CreatePublicThreads);
    const th = core.world.createThread(parent, {
      name: validateThreadName(body.name),
      type: type as 10 | 11 | 12,
      ownerId: core.world.bot.id,
      invitable: body.invitable !== false,
      autoArchiveDuration: autoArchive(body),
    });
    channelEvent(core, "CREATE", th);
    return threadReply(core, th);
  });

  r.add("POST", "/channels/:id/messages/:messageId/threads", ({ core, params, body }) => {
    const parent = visibleChannel(core, params.id as string);
    requirePerms(core, parent, Perm.CreatePublicThreads);
    const m = core.world.message(parent.id, params.messageId as string);
    if (!m || m.ephemeral) throw unknownMessage();
    if (m.threadId) {
      throw new DiscordError(400, 160004, "A thread has already been created for this message");
    }
    const th = core.world.createThread(parent, {
      id: m.id,
      name: validateThreadName(body.name),
      type: parent.type === 5 ? 10 : 11,
      ownerId: core.world.bot.id,
      autoArchiveDuration: autoArchive(body),
    });
    m.threadId = th.id;
    m.flags |= 32; // HAS_THREAD
    channelEvent(core, "CREATE", th);
    messageUpdate(core, m);
    return threadReply(core, th);
  });

  const thread = (core: Core, id: string): ChannelRec => {
    const th = visibleChannel(core, id);
    if (!isThread(th.type))
      throw invalidField("channel_id", "CHANNEL_TYPE_INVALID", "Not a thread");
    return th;
  };

  r.add("PUT", "/channels/:id/thread-members/:userId", ({ core, params }) => {
    const th = thread(core, params.id as string);
    const userId = params.userId === "@me" ? core.world.bot.id : (params.userId as string);
    if (th.archived) throw threadArchived();
    requirePerms(core, th, Perm.SendMessagesInThreads);
    const guild = core.world.guildOf(th);
    if (!guild?.members.has(userId)) throw unknownMember();
    if (th.type === 12 && !th.invitable && userId !== core.world.bot.id) {
      if (!has(botPerms(core, th), Perm.ManageThreads)) throw missingAccess();
    }
    if (!th.memberIds.has(userId)) {
      th.memberIds.add(userId);
      threadMembersUpdate(core, th, { added: [userId] });
    }
    return noContent();
  });

  r.add("DELETE", "/channels/:id/thread-members/:userId", ({ core, params }) => {
    const th = thread(core, params.id as string);
    const userId = params.userId === "@me" ? core.world.bot.id : (params.userId as string);
    if (th.archived) throw threadArchived();
    if (userId !== core.world.bot.id) requirePerms(core, th, Perm.ManageThreads);
    if (th.memberIds.delete(userId)) threadMembersUpdate(core, th, { removed: [userId] });
    return noContent();
  });

  r.add("GET", "/channels/:id/thread-members/:userId", ({ core, params }) => {
    const th = thread(core, params.id as string);
    const userId = params.userId === "@me" ? core.world.bot.id : (params.userId as string);
    if (!th.memberIds.has(userId)) throw unknownMember();
    return threadMember(th.id, userId);
  });

  r.add("GET", "/channels/:id/thread-members", ({ core, params }) => {
    const th = thread(core, params.id as string);
    return [...th.memberIds].map((u) => threadMember(th.id, u));
  });

  const archived = (core: Core, parentId: string, type: number, onlyJoined = false) => {
    const parent = visibleChannel(core, parentId);
    const bot = core.world.bot.id;
    const threads = core.world
      .threadsIn(parent.id)
      .filter((t) => t.archived && t.type === type && (!onlyJoined || t.memberIds.has(bot)));
    return {
      threads: threads.map((t) => apiChannel(core.world, t)),
      members: threads.filter((t) => t.memberIds.has(bot)).map((t) => threadMember(t.id, bot)),
      has_more: false,
    };
  };
  r.add("GET", "/channels/:id/threads/archived/public", ({ core, params }) =>
    archived(core, params.id as string, 11),
  );
  r.add("GET", "/channels/:id/threads/archived/private", ({ core, params }) =>
    archived(core, params.id as string, 12),
  );
  r.add("GET", "/channels/:id/users/@me/threads/archived/private", ({ core, params }) =>
    archived(core, params.id as string, 12, true),
  );
}
