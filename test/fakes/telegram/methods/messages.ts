// Text messages: sendMessage, copyMessage, forwardMessage, editMessage*, deleteMessage(s).
import type { Message } from "grammy/types";
import type { Core, Handler } from "../core.ts";
import { badRequest } from "../errors.ts";
import type { Params } from "../params.ts";
import type { MsgRec } from "../state.ts";
import {
  botIsAdmin,
  chatFor,
  checkCaption,
  checkText,
  contentOf,
  hasMedia,
  markupFor,
  NOT_MODIFIED,
  placement,
  sameJson,
} from "./common.ts";

const sendMessage: Handler = (core, p, io) => {
  const chat = chatFor(core, p);
  const text = p.optStr("text");
  const parseMode = p.optStr("parse_mode") || undefined;
  checkText(text, parseMode);
  const markup = markupFor(p);
  const place = placement(core, chat, p);
  const content: Record<string, unknown> = { text };
  const entities = parseMode ? undefined : p.json("entities");
  if (entities !== undefined) content.entities = entities;
  if (markup.inline !== undefined) content.reply_markup = markup.inline;
  if (p.bool("protect_content")) content.has_protected_content = true;
  const rec = core.state.addMessage(chat, content, {
    from: core.bot,
    threadId: place.threadId,
    replyTo: place.replyTo,
    byBot: true,
    via: "sendMessage",
    parseMode,
    markup: markup.raw,
  });
  return core.sent(io, rec);
};

function source(core: Core, p: Params, what: "copy" | "forward"): MsgRec {
  const from = chatFor(core, p, false, "from_chat_id");
  const rec = core.state.live(from, p.int("message_id"));
  if (!rec) throw badRequest(`message to ${what} not found`);
  return rec;
}

const copyMessage: Handler = (core, p, io) => {
  const src = source(core, p, "copy");
  const content = src.service ? undefined : contentOf(src.msg);
  if (!content) throw badRequest("message can't be copied");
  const chat = chatFor(core, p);
  let parseMode = src.parseMode;
  if (content.text === undefined && (p.has("caption") || p.bool("remove_caption"))) {
    const caption = p.bool("remove_caption") ? undefined : p.optStr("caption");
    parseMode = p.optStr("parse_mode") || undefined;
    checkCaption(caption, parseMode);
    delete content.caption;
    delete content.caption_entities;
    if (caption) content.caption = caption;
    const ce = parseMode ? undefined : p.json("caption_entities");
    if (caption && ce !== undefined) content.caption_entities = ce;
  }
  const markup = markupFor(p);
  if (markup.inline !== undefined) content.reply_markup = markup.inline;
  const place = placement(core, chat, p);
  const rec = core.state.addMessage(chat, content, {
    from: core.bot,
    threadId: place.threadId,
    replyTo: place.replyTo,
    byBot: true,
    via: "copyMessage",
    parseMode,
    markup: markup.raw,
  });
  core.sent(io, rec);
  return { message_id: rec.msg.message_id };
};

const forwardMessage: Handler = (core, p, io) => {
  const src = source(core, p, "forward");
  const content = src.service ? undefined : contentOf(src.msg);
  if (!content || src.msg.has_protected_content) throw badRequest("message can't be forwarded");
  const chat = chatFor(core, p);
  const m = src.msg;
  content.forward_origin =
    m.forward_origin ??
    (m.sender_chat
      ? { type: "chat", sender_chat: m.sender_chat, date: m.date }
      : { type: "user", sender_user: m.from, date: m.date });
  const place = placement(core, chat, p);
  const rec = core.state.addMessage(chat, content, {
    from: core.bot,
    threadId: place.threadId,
    replyTo: place.replyTo,
    byBot: true,
    via: "forwardMessage",
    parseMode: src.parseMode,
  });
  return core.sent(io, rec);
};

function editTarget(core: Core, p: Params): MsgRec {
  if (p.has("inline_message_id")) throw badRequest("MESSAGE_ID_INVALID");
  const chat = chatFor(core, p);
  const rec = core.state.live(chat, p.int("message_id"));
  if (!rec) throw badRequest("message to edit not found");
  if (!rec.byBot || rec.service) throw badRequest("message can't be edited");
  return rec;
}

/** Replaces the stored message (old snapshots stay as they were). */
function replace(rec: MsgRec, msg: Message, parseMode: string | undefined, markup: unknown): void {
  rec.msg = msg;
  rec.parseMode = parseMode;
  rec.markup = markup;
}

function without(msg: Message, ...keys: string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...msg };
  for (const k of keys) delete copy[k];
  return copy;
}

const editMessageText: Handler = (core, p, io) => {
  const rec = editTarget(core, p);
  if (rec.msg.text === undefined) throw badRequest("there is no text in the message to edit");
  const text = p.optStr("text");
  const parseMode = p.optStr("parse_mode") || undefined;
  checkText(text, parseMode);
  const markup = markupFor(p);
  const entities = parseMode ? undefined : p.json("entities");
  if (
    text === rec.msg.text &&
    parseMode === rec.parseMode &&
    sameJson(entities, rec.msg.entities) &&
    sameJson(markup.inline, rec.msg.reply_markup)
  ) {
    throw badRequest(NOT_MODIFIED);
  }
  const next = without(rec.msg, "entities", "reply_markup", "edit_date");
  next.text = text;
  if (entities !== undefined) next.entities = entities;
  next.edit_date = core.state.now();
  if (markup.inline !== undefined) next.reply_markup = markup.inline;
  replace(rec, next as unknown as Message, parseMode, markup.raw);
  return core.sent(io, rec);
};

const editMessageCaption: Handler = (core, p, io) => {
  const rec = editTarget(core, p);
  if (!hasMedia(rec.msg)) throw badRequest("there is no caption in the message to edit");
  const caption = p.optStr("caption") || undefined;
  const parseMode = p.optStr("parse_mode") || undefined;
  checkCaption(caption, parseMode);
  const markup = markupFor(p);
  const entities = parseMode ? undefined : p.json("caption_entities");
  if (
    caption === rec.msg.caption &&
    parseMode === rec.parseMode &&
    sameJson(entities, rec.msg.caption_entities) &&
    sameJson(markup.inline, rec.msg.reply_markup)
  ) {
    throw badRequest(NOT_MODIFIED);
  }
  const next = without(rec.msg, "caption", "caption_entities", "reply_markup", "edit_date");
  if (caption !== undefined) next.caption = caption;
  if (entities !== undefined) next.caption_entities = entities;
  next.edit_date = core.state.now();
  if (markup.inline !== undefined) next.reply_markup = markup.inline;
  replace(rec, next as unknown as Message, parseMode, markup.raw);
  return core.sent(io, rec);
};

const editMessageReplyMarkup: Handler = (core, p, io) => {
  const rec = editTarget(core, p);
  const markup = markupFor(p);
  if (sameJson(markup.inline, rec.msg.reply_markup)) throw badRequest(NOT_MODIFIED);
  const next = without(rec.msg, "reply_markup");
  if (markup.inline !== undefined) next.reply_markup = markup.inline;
  replace(rec, next as unknown as Message, rec.parseMode, markup.raw);
  return core.sent(io, rec);
};

const deleteMessage: Handler = (core, p) => {
  const chat = chatFor(core, p, false);
  const rec = core.state.live(chat, p.int("message_id"));
  if (!rec) throw badRequest("message to delete not found");
  if (chat.type !== "private" && !rec.byBot && !botIsAdmin(core, chat)) {
    throw badRequest("message can't be deleted");
  }
  core.state.deleteMessage(rec);
  return true;
};

const deleteMessages: Handler = (core, p) => {
  const chat = chatFor(core, p, false);
  const ids = p.json<number[]>("message_ids");
  if (!Array.isArray(ids) || ids.length === 0) throw badRequest("message_ids is empty");
  if (ids.length > 100) throw badRequest("too many messages to delete");
  for (const id of ids) {
    const rec = core.state.live(chat, Number(id));
    if (rec && (chat.type === "private" || rec.byBot || botIsAdmin(core, chat)))
      core.state.deleteMessage(rec);
  }
  return true;
};

export const messageMethods: Record<string, Handler> = {
  sendMessage,
  copyMessage,
  forwardMessage,
  editMessageText,
  editMessageCaption,
  editMessageReplyMarkup,
  deleteMessage,
  deleteMessages,
};
