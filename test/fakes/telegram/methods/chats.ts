// Chats and members: getChat, getChatMember, getChatAdministrators, ban/unban, leaveChat.
import type { Core, Handler } from "../core.ts";
import { badRequest } from "../errors.ts";
import type { Params } from "../params.ts";
import type { ChatRec, MemberRec } from "../state.ts";
import { botIsAdmin, chatFor } from "./common.ts";

const NO_GIFTS = {
  unlimited_gifts: false,
  limited_gifts: false,
  unique_gifts: false,
  premium_subscription: false,
  gifts_from_channels: false,
};

export function chatFullInfo(chat: ChatRec): Record<string, unknown> {
  const info: Record<string, unknown> = {
    ...chat.chat,
    accent_color_id: 0,
    max_reaction_count: 11,
  };
  if (chat.type === "supergroup") {
    info.permissions = {
      can_send_messages: true,
      can_send_audios: true,
      can_send_documents: true,
      can_send_photos: true,
      can_send_videos: true,
      can_send_video_notes: true,
      can_send_voice_notes: true,
      can_send_polls: true,
      can_send_other_messages: true,
      can_add_web_page_previews: true,
      can_change_info: false,
      can_invite_users: true,
      can_pin_messages: false,
      can_manage_topics: false,
    };
  }
  info.accepted_gift_types = NO_GIFTS;
  return info;
}

/** A ChatMember object for a stored membership. */
export function memberView(m: MemberRec): Record<string, unknown> {
  switch (m.status) {
    case "creator":
      return { status: "creator", user: m.user, is_anonymous: false };
    case "administrator":
      return {
        status: "administrator",
        user: m.user,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: true,
        can_manage_video_chats: true,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: true,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
        can_pin_messages: true,
        can_manage_topics: m.can_manage_topics ?? true,
        can_send_welcome_messages: false,
      };
    case "kicked":
      return { status: "kicked", user: m.user, until_date: m.until_date ?? 0 };
    case "restricted":
      return {
        status: "restricted",
        user: m.user,
        is_member: true,
        until_date: m.until_date ?? 0,
        can_send_messages: false,
        can_send_audios: false,
        can_send_documents: false,
        can_send_photos: false,
        can_send_videos: false,
        can_send_video_notes: false,
        can_send_voice_notes: false,
        can_send_polls: false,
        can_send_other_messages: false,
        can_add_web_page_previews: false,
        can_change_info: false,
        can_invite_users: false,
        can_pin_messages: false,
        can_manage_topics: false,
      };
    default:
      return { status: m.status, user: m.user };
  }
}

function groupOnly(chat: ChatRec): void {
  if (chat.type === "private")
    throw badRequest("method is available for supergroup and channel chats only");
}

function userOf(core: Core, p: Params) {
  const user = core.state.users.get(p.int("user_id"));
  if (!user) throw badRequest("user not found");
  return user;
}

const getChat: Handler = (core, p) => chatFullInfo(chatFor(core, p, false));

const getChatMember: Handler = (core, p) => {
  const chat = chatFor(core, p, false);
  const user = userOf(core, p);
  if (chat.type === "private") {
    if (user.id !== chat.id && user.id !== core.bot.id) throw badRequest("user not found");
    return { status: "member", user };
  }
  const m = chat.members.get(user.id);
  return memberView(m ?? { status: "left", user });
};

const getChatAdministrators: Handler = (core, p) => {
  const chat = chatFor(core, p, false);
  if (chat.type === "private") throw badRequest("there are no administrators in the private chat");
  const out: Record<string, unknown>[] = [];
  for (const m of chat.members.values()) {
    if (m.status === "creator" || m.status === "administrator") out.push(memberView(m));
  }
  return out;
};

const getChatMemberCount: Handler = (core, p) => {
  const chat = chatFor(core, p, false);
  if (chat.type === "private") return 2;
  let n = 0;
  for (const m of chat.members.values()) if (m.status !== "left" && m.status !== "kicked") n++;
  return n;
};

const banChatMember: Handler = (core, p) => {
  const chat = chatFor(core, p);
  groupOnly(chat);
  const user = userOf(core, p);
  if (!botIsAdmin(core, chat))
    throw badRequest("not enough rights to restrict/unrestrict chat member");
  const m = chat.members.get(user.id);
  if (m?.status === "creator") throw badRequest("can't remove chat owner");
  if (user.id === core.bot.id) throw badRequest("can't restrict self");
  chat.members.set(user.id, { status: "kicked", user, until_date: p.optInt("until_date") ?? 0 });
  return true;
};

const unbanChatMember: Handler = (core, p) => {
  const chat = chatFor(core, p);
  groupOnly(chat);
  const user = userOf(core, p);
  if (!botIsAdmin(core, chat))
    throw badRequest("not enough rights to restrict/unrestrict chat member");
  const m = chat.members.get(user.id);
  if (m?.status === "kicked") chat.members.set(user.id, { status: "left", user });
  else if (
    m &&
    !p.bool("only_if_banned") &&
    m.status !== "creator" &&
    m.status !== "administrator"
  ) {
    chat.members.set(user.id, { status: "left", user });
  }
  return true;
};

const leaveChat: Handler = (core, p) => {
  const chat = chatFor(core, p);
  groupOnly(chat);
  chat.members.set(core.bot.id, { status: "left", user: core.bot });
  return true;
};

export const chatMethods: Record<string, Handler> = {
  getChat,
  getChatMember,
  getChatAdministrators,
  getChatMemberCount,
  banChatMember,
  unbanChatMember,
  leaveChat,
};
