// Validates text against parse_mode (HTML, MarkdownV2, Markdown) like Telegram; returns plain text.
import { ApiError } from "./errors.ts";

const byteOffset = (text: string, i: number): number => Buffer.byteLength(text.slice(0, i), "utf8");

const cantParse = (what: string): ApiError =>
  new ApiError(400, `Bad Request: can't parse entities: ${what}`);

/** Returns the plain text (markup removed) or throws a 400 "can't parse entities". */
export function checkParseMode(text: string, parseMode: string | undefined): string {
  if (parseMode === undefined || parseMode === "") return text;
  switch (parseMode.toLowerCase()) {
    case "html":
      return parseHtml(text);
    case "markdownv2":
      return parseMarkdownV2(text);
    case "markdown":
      return parseMarkdown(text);
    default:
      throw new ApiError(400, "Bad Request: unsupported parse_mode");
  }
}

const HTML_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
  "tg-time",
]);
const HTML_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
const START_TAG =
  /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?)*)\s*\/?>/y;
const ENTITY = /&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/y;
const SPECIAL = /[<&]/g;

function parseHtml(text: string): string {
  const stack: string[] = [];
  let plain = "";
  let i = 0;
  SPECIAL.lastIndex = 0;
  for (let m = SPECIAL.exec(text); m !== null; m = SPECIAL.exec(text)) {
    const at = m.index;
    plain += text.slice(i, at);
    if (text[at] === "&") {
      ENTITY.lastIndex = at;
      const e = ENTITY.exec(text);
      const name = e?.[1];
      let decoded: string | undefined;
      if (name?.startsWith("#x")) decoded = String.fromCodePoint(parseInt(name.slice(2), 16));
      else if (name?.startsWith("#")) decoded = String.fromCodePoint(Number(name.slice(1)));
      else if (name) decoded = HTML_ENTITIES[name.toLowerCase()];
      if (e && decoded !== undefined) {
        plain += decoded;
        i = at + e[0].length;
      } else {
        plain += "&";
        i = at + 1;
      }
    } else if (text[at + 1] === "/") {
      const close = text.indexOf(">", at);
      if (close === -1) throw cantParse(`Unclosed end tag at byte offset ${byteOffset(text, at)}`);
      const name = text
        .slice(at + 2, close)
        .trim()
        .toLowerCase();
      const open = stack.pop();
      if (open === undefined) {
        throw cantParse(`Unexpected end tag at byte offset ${byteOffset(text, at)}`);
      }
      if (open !== name) {
        throw cantParse(
          `Unmatched end tag at byte offset ${byteOffset(text, at)}, expected "</${open}>", found "</${name}>"`,
        );
      }
      i = close + 1;
    } else {
      START_TAG.lastIndex = at;
      const t = START_TAG.exec(text);
      if (!t) {
        const name = /^<([^\s>]*)/.exec(text.slice(at, at + 40))?.[1] ?? "";
        if (name && !HTML_TAGS.has(name.toLowerCase())) {
          throw cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(text, at)}`);
        }
        throw cantParse(
          name
            ? `Unclosed start tag at byte offset ${byteOffset(text, at)}`
            : `Unsupported start tag "" at byte offset ${byteOffset(text, at)}`,
        );
      }
      const name = (t[1] as string).toLowerCase();
      if (!HTML_TAGS.has(name)) {
        throw cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(text, at)}`);
      }
      if (name === "span" && !/class\s*=\s*["']?tg-spoiler/i.test(t[2] ?? "")) {
        throw cantParse(
          `Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(text, at)}`,
        );
      }
      stack.push(name);
      i = at + t[0].length;
    }
    SPECIAL.lastIndex = i;
  }
  plain += text.slice(i);
  const open = stack.pop();
  if (open !== undefined)
    throw cantParse(`Can't find end tag corresponding to start tag "${open}"`);
  return plain;
}

const MDV2_RESERVED = new Set("_*[]()~`>#+-=|{}.!".split(""));
const MDV2_NAMES: Record<string, string> = {
  "*": "Bold",
  _: "Italic",
  __: "Underline",
  "~": "Strikethrough",
  "||": "Spoiler",
  "[": "TextUrl",
};

function parseMarkdownV2(text: string): string {
  const stack: { kind: string; at: number }[] = [];
  let plain = "";
  const toggle = (kind: string, at: number) => {
    const idx = stack.findLastIndex((s) => s.kind === kind);
    if (idx === -1) stack.push({ kind, at });
    else stack.splice(idx);
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "\\") {
      const n = text.codePointAt(i + 1);
      if (n === undefined || n > 126) {
        throw cantParse(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      }
      plain += text[i + 1];
      i += 2;
    } else if (c === "`") {
      const pre = text.startsWith("```", i);
      const close = findUnescaped(text, pre ? "```" : "`", i + (pre ? 3 : 1));
      if (close === -1) {
        throw cantParse(
          `Can't find end of ${pre ? "PreCode" : "Code"} entity at byte offset ${byteOffset(text, i)}`,
        );
      }
      let body = text.slice(i + (pre ? 3 : 1), close);
      if (pre && /^[^\s`]*\n/.test(body)) body = body.slice(body.indexOf("\n") + 1);
      plain += body.replace(/\\([`\\])/g, "$1");
      i = close + (pre ? 3 : 1);
    } else if (c === "*" || c === "~") {
      toggle(c, i);
      i++;
    } else if (c === "_") {
      const kind = text[i + 1] === "_" ? "__" : "_";
      toggle(kind, i);
      i += kind.length;
    } else if (c === "|" && text[i + 1] === "|") {
      toggle("||", i);
      i += 2;
    } else if (c === "[" || (c === "!" && text[i + 1] === "[")) {
      stack.push({ kind: "[", at: i });
      i += c === "!" ? 2 : 1;
    } else if (c === "]" && stack.at(-1)?.kind === "[") {
      if (text[i + 1] !== "(")
        throw cantParse(`Character ']' is reserved and must be escaped with the preceding '\\'`);
      const close = findUnescaped(text, ")", i + 2);
      if (close === -1)
        throw cantParse(`Can't find end of a URL at byte offset ${byteOffset(text, i + 1)}`);
      stack.pop();
      i = close + 1;
    } else if (c === ">" && (i === 0 || text[i - 1] === "\n")) {
      i++; // block quotation marker
    } else if (MDV2_RESERVED.has(c)) {
      throw cantParse(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    } else {
      plain += c;
      i++;
    }
  }
  const open = stack.pop();
  if (open) {
    throw cantParse(
      `Can't find end of ${MDV2_NAMES[open.kind] ?? "the"} entity at byte offset ${byteOffset(text, open.at)}`,
    );
  }
  return plain;
}

function findUnescaped(text: string, needle: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text.startsWith(needle, i)) return i;
  }
  return -1;
}

/** Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); only unclosed ones fail. */
function parseMarkdown(text: string): string {
  let plain = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "\\" && i + 1 < text.length && "*_`[".includes(text[i + 1] as string)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    const closer = c === "[" ? "]" : c === "`" && text.startsWith("```", i) ? "```" : c;
    if (c === "*" || c === "_" || c === "`" || c === "[") {
      const close = text.indexOf(closer, i + closer.length);
      if (close === -1) {
        throw cantParse(
          `Can't find end of the entity starting at byte offset ${byteOffset(text, i)}`,
        );
      }
      plain += text.slice(i + closer.length, close);
      i = close + closer.length;
      if (c === "[" && text[i] === "(") {
        const end = text.indexOf(")", i);
        if (end !== -1) i = end + 1;
      }
      continue;
    }
    plain += c;
    i++;
  }
  return plain;
}
