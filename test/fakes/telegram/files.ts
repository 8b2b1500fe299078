// File registry: file_ids for uploads/URLs/test media, media objects per kind, getFile paths.
import { badRequest } from "./errors.ts";
import type { FileInput } from "./params.ts";
import type { MediaKind } from "./types.ts";

export interface FileRec {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  file_size: number;
  kind: MediaKind;
  bytes: Uint8Array | undefined;
  /** What a message carries for this file: PhotoSize[] for photos, else one object. */
  media: unknown;
}

export interface FileHints {
  bytes?: Uint8Array | undefined;
  file_name?: string | undefined;
  mime_type?: string | undefined;
  duration?: number | undefined;
  width?: number | undefined;
  height?: number | undefined;
}

const KIND: Record<MediaKind, { prefix: string; dir: string; ext: string; mime: string }> = {
  photo: { prefix: "AgAC", dir: "photos", ext: "jpg", mime: "image/jpeg" },
  document: { prefix: "BQAC", dir: "documents", ext: "dat", mime: "application/octet-stream" },
  video: { prefix: "BAAC", dir: "videos", ext: "mp4", mime: "video/mp4" },
  audio: { prefix: "CQAC", dir: "music", ext: "mp3", mime: "audio/mpeg" },
  voice: { prefix: "AwAC", dir: "voice", ext: "oga", mime: "audio/ogg" },
  sticker: { prefix: "CAAC", dir: "stickers", ext: "webp", mime: "image/webp" },
  animation: { prefix: "CgAC", dir: "animations", ext: "mp4", mime: "video/mp4" },
  video_note: { prefix: "DQAC", dir: "video_notes", ext: "mp4", mime: "video/mp4" },
};

export const MEDIA_KINDS = Object.keys(KIND) as MediaKind[];

export class FileStore {
  private readonly byId = new Map<string, FileRec>();
  private readonly byPath = new Map<string, FileRec>();
  private seq = 0;

  get(fileId: string): FileRec | undefined {
    return this.byId.get(fileId);
  }

  getByPath(path: string): FileRec | undefined {
    return this.byPath.get(path);
  }

  /** Bytes served under /file/: the upload, or a small deterministic placeholder. */
  bytesOf(rec: FileRec): Uint8Array {
    return rec.bytes ?? new TextEncoder().encode(`fake-telegram-file:${rec.file_id}`);
  }

  /** The media object for a send* method parameter. */
  resolve(kind: MediaKind, input: FileInput): unknown {
    if (input.kind === "id") {
      const rec = this.byId.get(input.id);
      if (!rec) throw badRequest("wrong file identifier/HTTP URL specified");
      if (rec.kind !== kind) throw badRequest("type of file mismatch");
      return rec.media;
    }
    if (input.kind === "url") {
      const name = input.url.split(/[?#]/)[0]?.split("/").pop() || undefined;
      return this.create(kind, { file_name: name });
    }
    const up = input.upload;
    return this.create(kind, {
      bytes: up.data,
      file_name: up.filename || undefined,
      mime_type: up.contentType === "application/octet-stream" ? undefined : up.contentType,
    });
  }

  /** Registers a new file of `kind` and returns its media object. */
  create(kind: MediaKind, hints: FileHints = {}): unknown {
    const k = KIND[kind];
    const size = hints.bytes?.length ?? 32;
    if (kind === "photo") {
      const small = this.register(kind, hints.bytes, size);
      const large = this.register(kind, hints.bytes, size);
      const sizes = [
        {
          file_id: small.file_id,
          file_unique_id: small.file_unique_id,
          file_size: size,
          width: 90,
          height: 90,
        },
        {
          file_id: large.file_id,
          file_unique_id: large.file_unique_id,
          file_size: size,
          width: hints.width ?? 1280,
          height: hints.height ?? 960,
        },
      ];
      small.media = sizes;
      large.media = sizes;
      return sizes;
    }
    const rec = this.register(kind, hints.bytes, size);
    const media: Record<string, unknown> = {
      file_id: rec.file_id,
      file_unique_id: rec.file_unique_id,
    };
    const duration = hints.duration ?? 1;
    switch (kind) {
      case "document":
        media.file_name = hints.file_name ?? `document.${k.ext}`;
        media.mime_type = hints.mime_type ?? k.mime;
        break;
      case "video":
      case "animation":
        Object.assign(media, { width: hints.width ?? 640, height: hints.height ?? 360, duration });
        if (hints.file_name) media.file_name = hints.file_name;
        media.mime_type = hints.mime_type ?? k.mime;
        break;
      case "audio":
        media.duration = duration;
        if (hints.file_name) media.file_name = hints.file_name;
        media.mime_type = hints.mime_type ?? k.mime;
        break;
      case "voice":
        Object.assign(media, { duration, mime_type: hints.mime_type ?? k.mime });
        break;
      case "video_note":
        Object.assign(media, { length: hints.width ?? 240, duration });
        break;
      case "sticker":
        Object.assign(media, {
          type: "regular",
          width: 512,
          height: 512,
          is_animated: false,
          is_video: false,
        });
        break;
    }
    media.file_size = size;
    rec.media = media;
    return media;
  }

  private register(kind: MediaKind, bytes: Uint8Array | undefined, size: number): FileRec {
    const n = ++this.seq;
    const k = KIND[kind];
    const tag = `${n.toString(36).padStart(6, "0")}${Math.random().toString(36).slice(2, 12)}`;
    const rec: FileRec = {
      file_id: `${k.prefix}${tag}`,
      file_unique_id: `AQAD${n.toString(36)}`,
      file_path: `${k.dir}/file_${n}.${k.ext}`,
      file_size: size,
      kind,
      bytes,
      media: undefined,
    };
    this.byId.set(rec.file_id, rec);
    this.byPath.set(rec.file_path, rec);
    return rec;
  }

  reset(): void {
    this.byId.clear();
    this.byPath.clear();
  }
}
