// Typed, forgiving access to method parameters (form fields arrive as strings, JSON as values).
import type { Upload } from "./body.ts";
import { badRequest } from "./errors.ts";

export type FileInput =
  | { kind: "id"; id: string }
  | { kind: "url"; url: string }
  | { kind: "upload"; upload: Upload };

export class Params {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly uploads: Map<string, Upload> = new Map(),
  ) {}

  has(name: string): boolean {
    const v = this.raw[name];
    return v !== undefined && v !== null;
  }

  optInt(name: string): number | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === "") return undefined;
    const n = typeof v === "number" ? v : Number(v);
    if (!Number.isFinite(n)) throw badRequest(`invalid ${name} specified`);
    return Math.trunc(n);
  }

  int(name: string, missing = `${name} is empty`): number {
    const n = this.optInt(name);
    if (n === undefined) throw badRequest(missing);
    return n;
  }

  optStr(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === "string" ? v : String(v);
  }

  str(name: string, missing = `${name} is empty`): string {
    const s = this.optStr(name);
    if (s === undefined || s === "") throw badRequest(missing);
    return s;
  }

  bool(name: string): boolean {
    const v = this.raw[name];
    return v === true || v === "true" || v === "1" || v === 1;
  }

  /** An object/array parameter; JSON strings are parsed. */
  json<T = unknown>(name: string): T | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "string") {
      try {
        return JSON.parse(v) as T;
      } catch {
        throw badRequest(`can't parse ${name} JSON object`);
      }
    }
    return v as T;
  }

  /** chat_id-like parameter: a number, or an "@username" string. */
  chatId(name = "chat_id"): number | string {
    const v = this.raw[name];
    if (v === undefined || v === null || v === "") throw badRequest(`${name} is empty`);
    if (typeof v === "number") return v;
    const s = String(v);
    const n = Number(s);
    return Number.isFinite(n) && s.trim() !== "" ? n : s;
  }

  /** A file parameter: file_id, URL, `attach://name`, or a part uploaded under the field name. */
  file(name: string): FileInput | undefined {
    const direct = this.uploads.get(name);
    if (direct) return { kind: "upload", upload: direct };
    const v = this.raw[name];
    if (typeof v !== "string" || v === "") return undefined;
    if (v.startsWith("attach://")) {
      const up = this.uploads.get(v.slice(9));
      if (!up) throw badRequest(`wrong file identifier/HTTP URL specified`);
      return { kind: "upload", upload: up };
    }
    if (/^https?:\/\//i.test(v)) return { kind: "url", url: v };
    return { kind: "id", id: v };
  }
}
