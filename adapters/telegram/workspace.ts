// The agent desk in a Telegram forum supergroup: one topic per ticket. Also translates what
// agents do there (messages, commands, card buttons) into AgentEvents.
import { type Api, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import {
  type AgentEvent,
  type AgentWorkspace,
  DeliveryError,
  type OutboundMessage,
  ThreadGoneError,
} from "../../src/index.ts";
import { classify, type TelegramChannel } from "./channel.ts";
import { CHANNEL } from "./translate.ts";

const THREAD_GONE = /thread not found|TOPIC_DELETED|TOPIC_ID_INVALID/i;
const MEMBER_CACHE_MS = 60_000;

export class TelegramWorkspace implements AgentWorkspace {
  readonly channel = CHANNEL;
  private readonly members = new Map<string, { member: boolean; until: number }>();

  constructor(
    private readonly api: Api,
    readonly chatId: string,
    private readonly sender: TelegramChannel,
  ) {}

  async openThread(title: string): Promise<string> {
    try {
      const topic = await this.api.createForumTopic(this.chatId, title);
      return String(topic.message_thread_id);
    } catch (err) {
      throw classify(err);
    }
  }

  async renameThread(threadId: string, title: string): Promise<void> {
    await this.call(() => this.api.editForumTopic(this.chatId, Number(threadId), { name: title }));
  }

  async closeThread(threadId: string): Promise<void> {
    await this.call(() => this.api.closeForumTopic(this.chatId, Number(threadId)));
  }

  async reopenThread(threadId: string): Promise<void> {
    await this.call(() => this.api.reopenForumTopic(this.chatId, Number(threadId)));
  }

  async post(threadId: string | undefined, message: OutboundMessage): Promise<string> {
    const address = { channel: CHANNEL, chatId: this.chatId, ...(threadId ? { threadId } : {}) };
    try {
      return (await this.sender.send(address, message)).messageId;
    } catch (err) {
      if (err instanceof DeliveryError && /TOPIC_CLOSED/i.test(err.message) && threadId) {
        await this.reopenThread(threadId);
        return (await this.sender.send(address, message)).messageId;
      }
      if (err instanceof DeliveryError && THREAD_GONE.test(err.message))
        throw new ThreadGoneError(err.message);
      throw err;
    }
  }

  async isMember(agentId: string): Promise<boolean> {
    const cached = this.members.get(agentId);
    if (cached && cached.until > Date.now()) return cached.member;
    const id = /^telegram:(\d+)$/.exec(agentId)?.[1];
    if (!id) return false;
    let member = false;
    try {
      const m = await this.api.getChatMember(this.chatId, Number(id));
      member =
        ["creator", "administrator", "member"].includes(m.status) ||
        (m.status === "restricted" && m.is_member);
    } catch (err) {
      if (!(err instanceof GrammyError) || err.error_code >= 500 || err.error_code === 429)
        throw classify(err);
    }
    this.members.set(agentId, { member, until: Date.now() + MEMBER_CACHE_MS });
    return member;
  }

  private async call(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const failure = classify(err);
      if (THREAD_GONE.test(failure.message) || /TOPIC_NOT_MODIFIED/i.test(failure.message)) return;
      throw failure;
    }
  }
}

/** What an agent did in the agent chat; null for everything else (service messages, bots). */
export function translateAgentUpdate(
  update: Update,
  botId: number,
  agentChatId: string,
): AgentEvent | null {
  const idempotencyKey = `tg:${botId}:${update.update_id}`;
  const query = update.callback_query;
  if (query) {
    if (String(query.message?.chat.id) !== agentChatId || !query.data) return null;
    const m = query.message as { message_thread_id?: number } | undefined;
    return {
      idempotencyKey,
      type: "button",
      payload: query.data,
      agentId: `${CHANNEL}:${query.from.id}`,
      agentName: query.from.first_name,
      ...(m?.message_thread_id ? { threadId: String(m.message_thread_id) } : {}),
      at: Date.now(),
    };
  }
  const message = update.message;
  if (!message || String(message.chat.id) !== agentChatId || !message.from || message.from.is_bot)
    return null;
  if (
    message.forum_topic_created ||
    message.forum_topic_closed ||
    message.forum_topic_reopened ||
    message.forum_topic_edited
  )
    return null;
  const text = message.text ?? message.caption ?? "";
  const hasMedia = Boolean(
    message.photo ||
      message.document ||
      message.video ||
      message.audio ||
      message.voice ||
      message.sticker ||
      message.animation,
  );
  const base = {
    idempotencyKey,
    agentId: `${CHANNEL}:${message.from.id}`,
    agentName: message.from.first_name,
    ...(message.is_topic_message && message.message_thread_id
      ? { threadId: String(message.message_thread_id) }
      : {}),
    messageRef: { chatId: agentChatId, messageId: String(message.message_id) },
    hasMedia,
    at: message.date * 1000,
  };
  const entity = message.entities?.[0];
  if (message.text && entity?.type === "bot_command" && entity.offset === 0) {
    const command = message.text.slice(1, entity.length).toLowerCase().split("@")[0] ?? "";
    return {
      ...base,
      type: "command",
      command,
      args: message.text.slice(entity.length).trim(),
      text,
    };
  }
  if (!text && !hasMedia) return null;
  return { ...base, type: "message", text };
}
