// Discord payloads → Frontline's events. Pure functions: where a message belongs (a DM, a
// support thread, a ticket thread) is decided by the adapter; these only translate.
import {
  type APIApplicationCommandInteractionDataOption,
  type APIInteraction,
  type APIMessage,
  type APIUser,
  ApplicationCommandOptionType,
  InteractionType,
  MessageType,
} from "discord-api-types/v10";
import type { AgentEvent, InboundEvent, UserRef } from "../../src/index.ts";
import { languageOf } from "./format.ts";
import { attachmentsOf, CHANNEL } from "./media.ts";

/** What a message event carries that REST messages (backfill) lack. */
export type MessageData = APIMessage & {
  guild_id?: string;
  member?: { nick?: string | null };
};

/** Message types people write; everything else is a system message (joins, renames, pins). */
const PEOPLE_WRITE = new Set<number>([MessageType.Default, MessageType.Reply]);

export function writtenByPerson(m: MessageData): boolean {
  return !m.author.bot && !m.webhook_id && PEOPLE_WRITE.has(m.type);
}

export function conversationKeyOf(channelId: string): string {
  return `dc:${channelId}`;
}

export function userRefOf(user: APIUser, locale?: string): UserRef {
  const language = languageOf(locale);
  return {
    id: user.id,
    name: user.global_name ?? user.username,
    username: user.username,
    ...(language ? { locale: language } : {}),
  };
}

function displayName(user: APIUser, member?: { nick?: string | null }): string {
  return member?.nick ?? user.global_name ?? user.username;
}

const COMMAND = /^\/([a-z0-9_-]{1,32})(?:@\S+)?(?:\s+([\s\S]*))?$/i;

/** A customer's message (or typed "/command") in the conversation living in `channelId`. */
export function customerMessage(
  m: MessageData,
  channelId: string,
  opts: { text?: string; idempotencyKey?: string; locale?: string } = {},
): InboundEvent {
  const text = opts.text ?? m.content;
  const base = {
    idempotencyKey: opts.idempotencyKey ?? `dc:${m.id}`,
    conversationKey: conversationKeyOf(channelId),
    address: { channel: CHANNEL, chatId: channelId },
    user: userRefOf(m.author, opts.locale),
    at: Date.parse(m.timestamp) || Date.now(),
  };
  const command = COMMAND.exec(text.trim());
  if (command)
    return {
      ...base,
      type: "command",
      command: command[1]!.toLowerCase(),
      args: command[2]?.trim() ?? "",
    };
  const attachments = attachmentsOf(m);
  // An embed-only message (a link preview, a bot-made card) carries nothing Frontline can
  // read or carry: it counts as media the bot cannot handle, so it is answered, never ignored.
  if (!text.trim() && attachments.length === 0 && (m.embeds?.length ?? 0) > 0)
    attachments.push({ channel: CHANNEL, kind: "other", ref: "embed", name: "embed" });
  return { ...base, type: "message", text, ...(attachments.length ? { attachments } : {}) };
}

/** An edit of a customer's message: the edit's time is part of its key (each edit counts once). */
export function customerEdit(m: MessageData, channelId: string): InboundEvent | null {
  if (!m.edited_timestamp || typeof m.content !== "string") return null;
  return {
    type: "edit",
    text: m.content,
    idempotencyKey: `dc:edit:${m.id}:${Date.parse(m.edited_timestamp)}`,
    conversationKey: conversationKeyOf(channelId),
    address: { channel: CHANNEL, chatId: channelId },
    user: userRefOf(m.author),
    at: Date.parse(m.edited_timestamp),
  };
}

export function agentMessage(
  m: MessageData,
  workspaceId: string,
  threadId: string | undefined,
): AgentEvent | null {
  const base = {
    idempotencyKey: `dc:${m.id}`,
    workspaceId,
    agentId: `${CHANNEL}:${m.author.id}`,
    agentName: displayName(m.author, m.member),
    ...(threadId ? { threadId } : {}),
    at: Date.parse(m.timestamp) || Date.now(),
  };
  const command = COMMAND.exec(m.content.trim());
  if (command && !m.content.startsWith("//"))
    return {
      ...base,
      type: "command",
      command: command[1]!.toLowerCase(),
      args: command[2]?.trim() ?? "",
    };
  const media = attachmentsOf(m)[0];
  if (!m.content && !media) return null;
  return { ...base, type: "message", text: m.content, ...(media ? { media } : {}) };
}

export type Interaction = APIInteraction;

/** Who pressed or typed it, in a server or in a DM. */
export function interactionUser(i: Interaction): APIUser | undefined {
  return i.member?.user ?? i.user;
}

/** A slash command's text argument (every Frontline command takes at most one). */
export function commandArgs(i: Interaction): string {
  if (i.type !== InteractionType.ApplicationCommand) return "";
  const options = ((i.data as { options?: APIApplicationCommandInteractionDataOption[] }).options ??
    []) as { type: number; value?: unknown }[];
  return options
    .filter((o) => o.type === ApplicationCommandOptionType.String)
    .map((o) => String(o.value ?? ""))
    .join(" ")
    .trim();
}

/** A component's payload: a button's custom_id, or a select menu's chosen value. */
export function componentPayload(i: Interaction): string | undefined {
  if (i.type !== InteractionType.MessageComponent) return undefined;
  const data = i.data as { custom_id: string; values?: string[] };
  return data.values?.[0] ?? data.custom_id;
}

export function customerInteraction(i: Interaction, channelId: string): InboundEvent | null {
  const user = interactionUser(i);
  if (!user) return null;
  const base = {
    idempotencyKey: `dc:i:${i.id}`,
    conversationKey: conversationKeyOf(channelId),
    address: { channel: CHANNEL, chatId: channelId },
    user: userRefOf(user, (i as { locale?: string }).locale),
    at: Date.now(),
  };
  if (i.type === InteractionType.MessageComponent) {
    const payload = componentPayload(i);
    return payload === undefined ? null : { ...base, type: "button", payload };
  }
  if (i.type === InteractionType.ApplicationCommand) {
    const name = (i.data as { name: string }).name;
    // "/support" where the conversation already is private just (re)starts it.
    return {
      ...base,
      type: "command",
      command: name === "support" ? "start" : name,
      args: commandArgs(i),
    };
  }
  return null;
}

export function agentInteraction(
  i: Interaction,
  workspaceId: string,
  threadId: string | undefined,
): AgentEvent | null {
  const user = interactionUser(i);
  if (!user) return null;
  const base = {
    idempotencyKey: `dc:i:${i.id}`,
    workspaceId,
    agentId: `${CHANNEL}:${user.id}`,
    agentName: displayName(user, i.member ?? undefined),
    ...(threadId ? { threadId } : {}),
    at: Date.now(),
  };
  if (i.type === InteractionType.MessageComponent) {
    const payload = componentPayload(i);
    return payload === undefined ? null : { ...base, type: "button", payload };
  }
  if (i.type === InteractionType.ApplicationCommand)
    return {
      ...base,
      type: "command",
      command: (i.data as { name: string }).name,
      args: commandArgs(i),
    };
  return null;
}
