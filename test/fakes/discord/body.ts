// Request bodies: JSON, or multipart/form-data with `payload_json` plus `files[n]` parts (what
// @discordjs/rest sends for uploads). undici's own FormData parser reads the multipart.
import type { IncomingMessage } from "node:http";
import { DiscordError } from "./errors.ts";

export interface Upload {
  /** Form field, e.g. "files[0]". */
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface RequestBody {
  json: unknown;
  uploads: Upload[];
}

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const invalidJson = () => new DiscordError(400, 50109, "The request body contains invalid JSON.");

export async function readBody(req: IncomingMessage): Promise<RequestBody> {
  const raw = await readAll(req);
  if (raw.length === 0) return { json: undefined, uploads: [] };
  const type = req.headers["content-type"] ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    try {
      return { json: JSON.parse(raw.toString("utf8")), uploads: [] };
    } catch {
      throw invalidJson();
    }
  }
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { "content-type": type } }).formData();
  } catch {
    throw new DiscordError(400, 50035, "Invalid Form Body");
  }
  let json: Record<string, unknown> = {};
  const uploads: Upload[] = [];
  for (const [field, value] of form) {
    if (typeof value === "string") {
      if (field === "payload_json") {
        try {
          json = { ...json, ...JSON.parse(value) };
        } catch {
          throw invalidJson();
        }
      } else {
        json[field] = value;
      }
      continue;
    }
    const data = Buffer.from(await value.arrayBuffer());
    if (data.length > MAX_UPLOAD_BYTES) {
      throw new DiscordError(413, 40005, "Request entity too large");
    }
    uploads.push({
      field,
      filename: value.name,
      contentType: value.type || "application/octet-stream",
      data,
    });
  }
  return { json, uploads };
}
