// Media messages (sendPhoto, sendDocument, ...) and file download metadata (getFile).
import type { Handler } from "../core.ts";
import { badRequest } from "../errors.ts";
import type { MediaKind } from "../types.ts";
import { chatFor, checkCaption, markupFor, placement } from "./common.ts";

const NO_CAPTION: ReadonlySet<MediaKind> = new Set(["sticker", "video_note"]);

function sendMedia(kind: MediaKind, method: string): Handler {
  return (core, p, io) => {
    const chat = chatFor(core, p);
    const input = p.file(kind);
    if (!input) throw badRequest(`there is no ${kind} in the request`);
    const caption = NO_CAPTION.has(kind) ? undefined : p.optStr("caption") || undefined;
    const parseMode = caption ? p.optStr("parse_mode") || undefined : undefined;
    checkCaption(caption, parseMode);
    const markup = markupFor(p);
    const place = placement(core, chat, p);
    const media = core.files.resolve(kind, input);
    const content: Record<string, unknown> = { [kind]: media };
    if (caption) {
      content.caption = caption;
      const ce = parseMode ? undefined : p.json("caption_entities");
      if (ce !== undefined) content.caption_entities = ce;
      if (p.bool("show_caption_above_media")) content.show_caption_above_media = true;
    }
    if (p.bool("has_spoiler")) content.has_media_spoiler = true;
    if (p.bool("protect_content")) content.has_protected_content = true;
    if (markup.inline !== undefined) content.reply_markup = markup.inline;
    const rec = core.state.addMessage(chat, content, {
      from: core.bot,
      threadId: place.threadId,
      replyTo: place.replyTo,
      byBot: true,
      via: method,
      parseMode,
      markup: markup.raw,
    });
    return core.sent(io, rec);
  };
}

const getFile: Handler = (core, p) => {
  const rec = core.files.get(p.str("file_id"));
  if (!rec) throw badRequest("invalid file_id");
  return {
    file_id: rec.file_id,
    file_unique_id: rec.file_unique_id,
    file_size: rec.file_size,
    file_path: rec.file_path,
  };
};

export const mediaMethods: Record<string, Handler> = {
  sendPhoto: sendMedia("photo", "sendPhoto"),
  sendDocument: sendMedia("document", "sendDocument"),
  sendVideo: sendMedia("video", "sendVideo"),
  sendAudio: sendMedia("audio", "sendAudio"),
  sendVoice: sendMedia("voice", "sendVoice"),
  sendSticker: sendMedia("sticker", "sendSticker"),
  sendAnimation: sendMedia("animation", "sendAnimation"),
  sendVideoNote: sendMedia("video_note", "sendVideoNote"),
  getFile,
};
