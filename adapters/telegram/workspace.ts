// The agent desk in a Telegram forum supergroup: one topic per ticket, the ticket's state in
// the topic's name. Also translates what agents do there (messages, commands, card buttons)
// into AgentEvents.
import type { Api, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import {
  type AgentEvent,
  type AgentWorkspace,
  DeliveryError,
  type OpenThreadOptions,
  type OutboundMessage,
  ThreadGoneError,
  ThreadHalfOpenError,
  type ThreadRef,
  type TicketHeader,
} from "../../src/index.ts";
import { classify, TELEGRAM_LIMITS, type TelegramChannel, telegramErrorCode } from "./channel.ts";
import { attachmentsOf, CHANNEL } from "./translate.ts";

const THREAD_GONE = /thread not found|TOPIC_DELETED|TOPIC_ID_INVALID/i;
const MEMBER_CACHE_MS = 60_000;

export function workspaceIdOf(chatId: string): string {
  return `${CHANNEL}:${chatId}`;
}

export class TelegramWorkspace implements AgentWorkspace {
  readonly id: string;
  readonly channel = CHANNEL;
  readonly limits = {
    // A little below 4096: the card's buttons and a mention line ride on the same message.
    textLength: 4000,
    titleLength: TELEGRAM_LIMITS.titleLength,
    payloadBytes: TELEGRAM_LIMITS.payloadBytes,
  };
  private readonly members = new Map<string, { member: boolean; until: number }>();

  constructor(
    private readonly api: Api,
    readonly chatId: string,
    private readonly sender: TelegramChannel,
    private readonly botId: () => Promise<number>,
  ) {
    this.id = workspaceIdOf(chatId);
  }

  get pacing() {
    const address = { channel: CHANNEL, chatId: this.chatId };
    return {
      lane: `${CHANNEL}:${this.sender.laneOf(address)}`,
      limit: this.sender.limitFor(address),
    };
  }

  async openThread(
    ticket: TicketHeader,
    card: OutboundMessage,
    options: OpenThreadOptions,
  ): Promise<ThreadRef> {
    let threadId = options.resumeThreadId;
    if (!threadId) {
      try {
        const topic = await this.api.createForumTopic(this.chatId, ticket.title);
        threadId = String(topic.message_thread_id);
      } catch (err) {
        throw classify(err);
      }
    }
    try {
      const cardMessageId = await this.post(threadId, card, options);
      return { threadId, cardMessageId };
    } catch (err) {
      // A resumed thread deleted meanwhile: the desk makes a new one.
      if (err instanceof ThreadGoneError && options.resumeThreadId) throw err;
      throw new ThreadHalfOpenError(threadId, err);
    }
  }

  /** The topic's name carries the state (🆕 queued, 💬 with a person, ✅ closed). Telegram
   * allows renames freely; TOPIC_NOT_MODIFIED (same name) is not an error. */
  async showStatus(thread: ThreadRef, ticket: TicketHeader): Promise<void> {
    await this.call(() =>
      this.api.editForumTopic(this.chatId, Number(thread.threadId), { name: ticket.title }),
    );
  }

  async closeThread(threadId: string): Promise<void> {
    await this.call(() => this.api.closeForumTopic(this.chatId, Number(threadId)));
  }

  async reopenThread(threadId: string): Promise<void> {
    await this.call(() => this.api.reopenForumTopic(this.chatId, Number(threadId)));
  }

  async post(
    threadId: string | undefined,
    message: OutboundMessage,
    options: { idempotencyKey: string },
  ): Promise<string> {
    const address = { channel: CHANNEL, chatId: this.chatId, ...(threadId ? { threadId } : {}) };
    try {
      return (await this.sender.send(address, message, options)).messageId;
    } catch (err) {
      if (err instanceof DeliveryError && /TOPIC_CLOSED/i.test(err.message) && threadId) {
        await this.reopenThread(threadId);
        return (await this.sender.send(address, message, options)).messageId;
      }
      if (err instanceof DeliveryError && THREAD_GONE.test(err.message))
        throw new ThreadGoneError(err.message);
      throw err;
    }
  }

  /** Members of the agent chat are its agents (keep the group private). Cached for a minute. */
  async isAgent(agentId: string): Promise<boolean> {
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
      const code = telegramErrorCode(err);
      if (code === undefined || code >= 500 || code === 429) throw classify(err);
    }
    this.members.set(agentId, { member, until: Date.now() + MEMBER_CACHE_MS });
    return member;
  }

  /** The chat exists, is a forum supergroup, and the bot is an admin that may manage topics. */
  async check(): Promise<string | null> {
    const where = `TELEGRAM_AGENT_CHAT_ID=${this.chatId}`;
    const botId = await this.botId();
    let chat: { type: string; is_forum?: boolean; title?: string };
    try {
      chat = (await this.api.getChat(this.chatId)) as typeof chat;
    } catch (err) {
      const code = telegramErrorCode(err);
      if (code !== undefined && code < 500 && code !== 429)
        return `${where}: the bot cannot see that chat (${(err as GrammyError).description}); add the bot to the agents' group and check the id (README: Running a support desk).`;
      throw err;
    }
    if (chat.type !== "supergroup" || !chat.is_forum)
      return `${where}: "${chat.title ?? this.chatId}" is not a forum; turn on Topics in the group's settings (Manage group → Topics).`;
    const me = await this.api.getChatMember(this.chatId, botId);
    const canManage =
      me.status === "creator" ||
      (me.status === "administrator" && (me as { can_manage_topics?: boolean }).can_manage_topics);
    if (!canManage)
      return `${where}: the bot is not an administrator with "Manage topics" in "${chat.title ?? this.chatId}"; promote it (Manage group → Administrators).`;
    return null;
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
  const base = {
    idempotencyKey: `tg:${botId}:${update.update_id}`,
    workspaceId: workspaceIdOf(agentChatId),
  };
  const query = update.callback_query;
  if (query) {
    if (String(query.message?.chat.id) !== agentChatId || !query.data) return null;
    const m = query.message as { message_thread_id?: number } | undefined;
    return {
      ...base,
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
  const media = attachmentsOf(message)[0];
  const who = {
    ...base,
    agentId: `${CHANNEL}:${message.from.id}`,
    agentName: message.from.first_name,
    ...(message.is_topic_message && message.message_thread_id
      ? { threadId: String(message.message_thread_id) }
      : {}),
    at: message.date * 1000,
  };
  const entity = message.entities?.[0];
  if (message.text && entity?.type === "bot_command" && entity.offset === 0) {
    const command = message.text.slice(1, entity.length).toLowerCase().split("@")[0] ?? "";
    return { ...who, type: "command", command, args: message.text.slice(entity.length).trim() };
  }
  if (!text && !media) return null;
  return { ...who, type: "message", text, ...(media ? { media } : {}) };
}
