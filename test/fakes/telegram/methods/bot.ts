// Bot-level methods: getMe, commands per scope/language, answerCallbackQuery, sendChatAction.
import type { BotCommand } from "grammy/types";
import type { Handler } from "../core.ts";
import { badRequest } from "../errors.ts";
import type { Params } from "../params.ts";
import { chatFor, threadFor } from "./common.ts";

export const QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid";

const SCOPES = new Set([
  "default",
  "all_private_chats",
  "all_group_chats",
  "all_chat_administrators",
  "chat",
  "chat_administrators",
  "chat_member",
]);

const ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

export interface CommandScope {
  type: string;
  chat_id?: number | string;
  user_id?: number;
}

export function commandsKey(
  scope: CommandScope | undefined,
  languageCode: string | undefined,
): string {
  const s = scope ?? { type: "default" };
  return `${s.type}:${s.chat_id ?? ""}:${s.user_id ?? ""}|${languageCode ?? ""}`;
}

function keyOf(p: Params): string {
  const scope = p.json<CommandScope>("scope");
  if (scope !== undefined && !SCOPES.has(scope?.type))
    throw badRequest("wrong scope type specified");
  return commandsKey(scope, p.optStr("language_code") || undefined);
}

const setMyCommands: Handler = (core, p) => {
  const commands = p.json<BotCommand[]>("commands");
  if (!Array.isArray(commands)) throw badRequest('field "commands" must be an Array');
  if (commands.length > 100) throw badRequest("too many commands");
  const clean: BotCommand[] = [];
  for (const c of commands) {
    if (typeof c?.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(c.command)) {
      throw badRequest("BOT_COMMAND_INVALID");
    }
    if (typeof c.description !== "string" || c.description.trim() === "") {
      throw badRequest("command description is empty");
    }
    if (c.description.length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    clean.push({ command: c.command, description: c.description });
  }
  const key = keyOf(p);
  if (clean.length === 0) core.state.commands.delete(key);
  else core.state.commands.set(key, clean);
  return true;
};

const getMyCommands: Handler = (core, p) => core.state.commands.get(keyOf(p)) ?? [];

const deleteMyCommands: Handler = (core, p) => {
  core.state.commands.delete(keyOf(p));
  return true;
};

const answerCallbackQuery: Handler = (core, p) => {
  const id = p.optStr("callback_query_id") ?? "";
  const cb = core.state.callbacks.get(id);
  if (!cb || cb.answered) throw badRequest(QUERY_INVALID);
  const text = p.optStr("text");
  if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  cb.answered = true;
  const answer: (typeof core.callbackAnswers)[number] = { callback_query_id: id, at: Date.now() };
  if (text !== undefined) answer.text = text;
  if (p.has("show_alert")) answer.show_alert = p.bool("show_alert");
  const url = p.optStr("url");
  if (url !== undefined) answer.url = url;
  const cache = p.optInt("cache_time");
  if (cache !== undefined) answer.cache_time = cache;
  core.callbackAnswers.push(answer);
  return true;
};

const sendChatAction: Handler = (core, p) => {
  const chat = chatFor(core, p);
  const action = p.optStr("action") ?? "";
  if (!ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
  threadFor(chat, p);
  return true;
};

export const botMethods: Record<string, Handler> = {
  getMe: (core) => core.bot,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  answerCallbackQuery,
  sendChatAction,
};
