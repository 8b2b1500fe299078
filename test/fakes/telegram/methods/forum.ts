// Forum topics: create/edit/close/reopen/delete, with the service messages Telegram posts.
import type { Core, Handler } from "../core.ts";
import { badRequest } from "../errors.ts";
import type { Params } from "../params.ts";
import type { ChatRec, TopicRec } from "../state.ts";
import { chatFor } from "./common.ts";

/** The six colours Telegram accepts for topic icons. */
export const TOPIC_ICON_COLORS = [7322096, 16766590, 13338331, 9367192, 16749490, 16478047];

function forumChat(core: Core, p: Params): ChatRec {
  const chat = chatFor(core, p);
  if (chat.type !== "supergroup" || !chat.isForum) throw badRequest("the chat is not a forum");
  const me = chat.members.get(core.bot.id);
  const admin =
    me?.status === "creator" || (me?.status === "administrator" && me.can_manage_topics !== false);
  if (!admin) throw badRequest("not enough rights to manage topics");
  return chat;
}

function topicOf(chat: ChatRec, p: Params): TopicRec {
  const topic = chat.topics.get(p.int("message_thread_id"));
  if (!topic || topic.deleted) throw badRequest("TOPIC_ID_INVALID");
  return topic;
}

function serviceMessage(
  core: Core,
  chat: ChatRec,
  topic: TopicRec,
  content: Record<string, unknown>,
  via: string,
) {
  core.state.addMessage(chat, content, {
    from: core.bot,
    threadId: topic.message_thread_id,
    replyTo: topic.creation,
    byBot: true,
    via,
    service: true,
  });
}

function topicName(p: Params): string | undefined {
  const name = p.optStr("name");
  if (name === undefined) return undefined;
  if (name.trim() === "") throw badRequest("TOPIC_TITLE_EMPTY");
  if (name.length > 128) throw badRequest("TOPIC_TITLE_TOO_LONG");
  return name;
}

const createForumTopic: Handler = (core, p) => {
  const chat = forumChat(core, p);
  const name = topicName(p);
  if (name === undefined) throw badRequest("TOPIC_TITLE_EMPTY");
  const iconColor = p.optInt("icon_color") ?? (TOPIC_ICON_COLORS[0] as number);
  if (!TOPIC_ICON_COLORS.includes(iconColor)) throw badRequest("TOPIC_ICON_COLOR_INVALID");
  const emoji = p.optStr("icon_custom_emoji_id") || undefined;
  const created: Record<string, unknown> = { name, icon_color: iconColor };
  if (emoji) created.icon_custom_emoji_id = emoji;
  const id = chat.nextId;
  const rec = core.state.addMessage(
    chat,
    { forum_topic_created: created },
    { from: core.bot, threadId: id, byBot: true, via: "createForumTopic", service: true },
  );
  const topic: TopicRec = {
    message_thread_id: id,
    name,
    icon_color: iconColor,
    closed: false,
    deleted: false,
    creation: rec.msg,
  };
  if (emoji) topic.icon_custom_emoji_id = emoji;
  chat.topics.set(id, topic);
  return { message_thread_id: id, ...created };
};

const editForumTopic: Handler = (core, p) => {
  const chat = forumChat(core, p);
  const topic = topicOf(chat, p);
  const name = topicName(p);
  const emoji = p.optStr("icon_custom_emoji_id");
  const edited: Record<string, unknown> = {};
  if (name !== undefined && name !== topic.name) edited.name = topic.name = name;
  if (emoji !== undefined && emoji !== (topic.icon_custom_emoji_id ?? "")) {
    edited.icon_custom_emoji_id = emoji;
    if (emoji) topic.icon_custom_emoji_id = emoji;
    else delete topic.icon_custom_emoji_id;
  }
  if (Object.keys(edited).length === 0) throw badRequest("TOPIC_NOT_MODIFIED");
  serviceMessage(core, chat, topic, { forum_topic_edited: edited }, "editForumTopic");
  return true;
};

function setClosed(closed: boolean, via: string): Handler {
  return (core, p) => {
    const chat = forumChat(core, p);
    const topic = topicOf(chat, p);
    if (topic.closed === closed) throw badRequest("TOPIC_NOT_MODIFIED");
    topic.closed = closed;
    serviceMessage(
      core,
      chat,
      topic,
      { [closed ? "forum_topic_closed" : "forum_topic_reopened"]: {} },
      via,
    );
    return true;
  };
}

const deleteForumTopic: Handler = (core, p) => {
  const chat = forumChat(core, p);
  topicOf(chat, p).deleted = true;
  return true;
};

const unpinAllForumTopicMessages: Handler = (core, p) => {
  topicOf(forumChat(core, p), p);
  return true;
};

export const forumMethods: Record<string, Handler> = {
  createForumTopic,
  editForumTopic,
  closeForumTopic: setClosed(true, "closeForumTopic"),
  reopenForumTopic: setClosed(false, "reopenForumTopic"),
  deleteForumTopic,
  unpinAllForumTopicMessages,
  getForumTopicIconStickers: () => [],
};
