// Reads a Bot API request body (JSON, urlencoded, multipart) into plain fields plus uploads.
import type { IncomingMessage } from "node:http";
import { ApiError } from "./errors.ts";

export interface Upload {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

export interface RequestBody {
  fields: Record<string, unknown>;
  uploads: Map<string, Upload>;
}

const NO_UPLOADS: Map<string, Upload> = new Map();

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

/** Form fields arrive as strings; JSON-looking ones (reply_markup, entities, ...) are parsed. */
function formValue(v: string): unknown {
  const c = v.charCodeAt(0);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

export async function readBody(req: IncomingMessage, query: URLSearchParams): Promise<RequestBody> {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of query) fields[k] = formValue(v);
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  const raw = await readAll(req);
  if (raw.length === 0) return { fields, uploads: NO_UPLOADS };
  if (type.startsWith("multipart/form-data")) {
    const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers["content-type"] ?? "");
    const boundary = m?.[1] ?? m?.[2];
    if (!boundary) throw new ApiError(400, "Bad Request: multipart boundary is missing");
    return parseMultipart(raw, boundary, fields);
  }
  if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(raw.toString("utf8"))) fields[k] = formValue(v);
    return { fields, uploads: NO_UPLOADS };
  }
  // JSON is the default (grammY always sends application/json when nothing is uploaded).
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError(400, "Bad Request: can't parse JSON object");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(400, "Bad Request: request body must be a JSON object");
  }
  return { fields: Object.assign(fields, parsed), uploads: NO_UPLOADS };
}

/**
 * A tolerant multipart/form-data reader. Node 20's `Request#formData()` rejects what grammY
 * sends (`content-disposition:form-data;name="x"` without spaces, unquoted filenames), so the
 * fake parses parts itself.
 */
export function parseMultipart(
  raw: Buffer,
  boundary: string,
  fields: Record<string, unknown> = {},
): RequestBody {
  const uploads = new Map<string, Upload>();
  const delim = Buffer.from(`--${boundary}`);
  let pos = raw.indexOf(delim);
  while (pos !== -1) {
    let start = pos + delim.length;
    if (raw[start] === 45 && raw[start + 1] === 45) break; // closing "--"
    if (raw[start] === 13 && raw[start + 1] === 10) start += 2;
    const next = raw.indexOf(delim, start);
    if (next === -1) break;
    let end = next;
    if (raw[end - 2] === 13 && raw[end - 1] === 10) end -= 2;
    const headerEnd = raw.indexOf("\r\n\r\n", start);
    if (headerEnd !== -1 && headerEnd < end) {
      const headers = raw.subarray(start, headerEnd).toString("utf8");
      const body = raw.subarray(headerEnd + 4, end);
      const disp = /content-disposition\s*:([^\r\n]*)/i.exec(headers)?.[1] ?? "";
      const name = /(?:^|;)\s*name\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(disp);
      const filename = /filename\s*=\s*(?:"([^"]*)"|([^;\r\n]*))/i.exec(disp);
      const key = name?.[1] ?? name?.[2];
      if (key !== undefined) {
        if (filename) {
          const ct = /content-type\s*:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim();
          uploads.set(key, {
            filename: (filename[1] ?? filename[2] ?? "").trim(),
            contentType: ct || "application/octet-stream",
            data: new Uint8Array(body),
          });
        } else {
          fields[key] = formValue(body.toString("utf8"));
        }
      }
    }
    pos = next;
  }
  return { fields, uploads };
}
