// Discord attachments as MediaRefs: the ref carries the CDN URL, the file name, size and type,
// so any platform's desk can download and re-upload it (Discord has no "copy message").
import type { APIAttachment, APISticker, APIStickerItem } from "discord-api-types/v10";
import type { MediaRef } from "../../src/index.ts";

export const CHANNEL = "discord";

interface DiscordMediaRef {
  url: string;
  name: string;
  size?: number;
  type?: string;
}

export function mediaRefOf(a: APIAttachment): string {
  const ref: DiscordMediaRef = {
    url: a.url,
    name: a.filename,
    size: a.size,
    ...(a.content_type ? { type: a.content_type } : {}),
  };
  return JSON.stringify(ref);
}

export function parseMediaRef(ref: string): DiscordMediaRef | null {
  try {
    const parsed = JSON.parse(ref) as Partial<DiscordMediaRef>;
    return typeof parsed.url === "string" && typeof parsed.name === "string"
      ? (parsed as DiscordMediaRef)
      : null;
  } catch {
    return null;
  }
}

function kindOf(a: APIAttachment): MediaRef["kind"] {
  const type = a.content_type ?? "";
  if (a.waveform || (a.flags ?? 0) & (1 << 13)) return "voice";
  if (type.startsWith("image/")) return "photo";
  if (type.startsWith("video/")) return "video";
  if (type.startsWith("audio/")) return "audio";
  return "document";
}

/** A message's attachments and stickers as media (a sticker cannot be carried: said in words). */
export function attachmentsOf(message: {
  attachments?: APIAttachment[];
  sticker_items?: (APIStickerItem | APISticker)[];
}): MediaRef[] {
  const files = (message.attachments ?? []).map(
    (a): MediaRef => ({ channel: CHANNEL, kind: kindOf(a), ref: mediaRefOf(a), name: a.filename }),
  );
  const stickers = (message.sticker_items ?? []).map(
    (s): MediaRef => ({ channel: CHANNEL, kind: "sticker", ref: `sticker:${s.id}`, name: s.name }),
  );
  return [...files, ...stickers];
}
