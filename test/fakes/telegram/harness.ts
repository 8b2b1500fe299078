// FakeTelegram: starts the fake and is the test's hands (users, agents, groups) and eyes (logs).
import type {
  BotCommand,
  Chat,
  Message,
  MessageEntity,
  Update,
  User,
  UserFromGetMe,
} from "grammy/types";
import { type CallIO, Core } from "./core.ts";
import { type CommandScope, commandsKey } from "./methods/bot.ts";
import { getWebhookInfo } from "./methods/getting-updates.ts";
import { Params } from "./params.ts";
import { FakeServer } from "./server.ts";
import type { ChatRec, MemberRec, MsgRec } from "./state.ts";
import type {
  CallbackAnswer,
  CallRecord,
  FailPredicate,
  FailSpec,
  ForumTopicState,
  GroupMessageOptions,
  MediaExtra,
  MediaKind,
  MemberStatus,
  MessageExtra,
  MessageRef,
  PushedUpdate,
  RateLimits,
  SentMessage,
  StartOptions,
  TestUser,
} from "./types.ts";

const COMMAND = /(?<=^|\s)\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?=$|\s)/g;

/** bot_command entities for every /command (incl. /cmd@botname) in `text`. */
export function commandEntities(text: string): MessageEntity[] {
  const out: MessageEntity[] = [];
  for (const m of text.matchAll(COMMAND)) {
    out.push({ type: "bot_command", offset: m.index ?? 0, length: m[0].length });
  }
  return out;
}

export interface WaitOptions {
  /** Also match calls already logged with `seq >= since` (see {@link FakeTelegram.cursor}). */
  since?: number;
}

export class FakeTelegram {
  readonly apiRoot: string;
  private closed = false;

  private constructor(
    private readonly core: Core,
    private readonly server: FakeServer,
  ) {
    this.apiRoot = `http://127.0.0.1:${server.port}`;
  }

  static async start(opts: StartOptions = {}): Promise<FakeTelegram> {
    const fromToken = opts.token ? Number(opts.token.split(":")[0]) : Number.NaN;
    const botId =
      opts.botId ?? (Number.isSafeInteger(fromToken) && fromToken > 0 ? fromToken : 7_000_000_001);
    const token = opts.token ?? `${botId}:AAFakeTelegramTestToken`;
    const botInfo: UserFromGetMe = {
      id: botId,
      is_bot: true,
      first_name: opts.firstName ?? "Support Bot",
      username: opts.username ?? "support_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: true,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    const core = new Core(token, botInfo, opts.recordCalls ?? true, {
      retryDelaysMs: opts.webhookRetryDelaysMs?.length ? opts.webhookRetryDelaysMs : [50, 100, 200],
      timeoutMs: opts.webhookTimeoutMs ?? 10_000,
    });
    if (opts.enforceLimits) core.faults.setLimits(opts.enforceLimits);
    const server = await FakeServer.listen(opts.port ?? 0, {
      token,
      call: (method: string, p: Params, io: CallIO) => core.call(method, p, io),
      file: (path: string) => {
        const rec = core.files.getByPath(path);
        return rec ? core.files.bytesOf(rec) : undefined;
      },
    });
    return new FakeTelegram(core, server);
  }

  get token(): string {
    return this.core.token;
  }

  /** The getMe result; pass it as grammY's `botInfo` to skip getMe. */
  get botInfo(): UserFromGetMe {
    return this.core.bot;
  }

  /** Releases held long polls, stops webhook delivery, and closes the server and its sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.core.updates.close();
    await new Promise((r) => setImmediate(r)); // let released polls write their answers
    await this.server.close();
  }

  // ---- error injection ----------------------------------------------------------------------

  /** The next `times` (default 1) calls of `method` ("*" = any) fail with this error. */
  failNext(method: string, spec: FailSpec): void {
    this.core.faults.failNext(method, spec);
  }

  /** Every call for which `predicate` returns a FailSpec fails with it; returns a remover. */
  failWhen(predicate: FailPredicate): () => void {
    return this.core.faults.failWhen(predicate);
  }

  /** Turns the rate limiter on (or off with `undefined`); windows start empty. */
  enforceLimits(limits: RateLimits | undefined): void {
    this.core.faults.setLimits(limits);
  }

  // ---- customers (private chats) ------------------------------------------------------------

  /** Makes `user` known with a private chat, as if they had started the bot. */
  addUser(user: TestUser): User {
    return this.core.state.addUser(user).user as User;
  }

  /** The user blocks the bot: sends to them answer 403. Pushes my_chat_member unless notify=false. */
  blockUser(userId: number, opts: { notify?: boolean } = {}): void {
    const chat = this.privateChat(userId);
    if (chat.blocked) return;
    chat.blocked = true;
    if (opts.notify !== false) this.pushMyChatMember(chat, "member", "kicked");
  }

  unblockUser(userId: number, opts: { notify?: boolean } = {}): void {
    const chat = this.privateChat(userId);
    if (!chat.blocked) return;
    chat.blocked = false;
    if (opts.notify !== false) this.pushMyChatMember(chat, "kicked", "member");
  }

  isBlocked(userId: number): boolean {
    return this.core.state.chats.get(userId)?.blocked ?? false;
  }

  /** The user writes to the bot (a blocked user unblocks it first, like Telegram's Restart). */
  sendUserMessage(user: TestUser, text: string, extra: MessageExtra = {}): Message {
    const chat = this.core.state.addUser(user);
    if (chat.blocked) this.unblockUser(user.id);
    const content: Record<string, unknown> = { text };
    const entities = commandEntities(text);
    if (entities.length > 0) content.entities = entities;
    return this.pushMessage(chat, chat.user as User, content, extra, undefined);
  }

  sendUserMedia(user: TestUser, kind: MediaKind, extra: MediaExtra = {}): Message {
    const chat = this.core.state.addUser(user);
    if (chat.blocked) this.unblockUser(user.id);
    return this.pushMessage(
      chat,
      chat.user as User,
      this.mediaContent(kind, extra),
      extra,
      undefined,
    );
  }

  /** Edits a message a user sent (its text, or its caption) and pushes `edited_message`. */
  editUserMessage(ref: MessageRef, text: string): Message {
    const rec = this.rec(ref);
    if (rec.byBot) throw new Error("editUserMessage: that message was sent by the bot");
    const next: Record<string, unknown> = { ...rec.msg };
    const field = rec.msg.text !== undefined ? "text" : "caption";
    const entitiesField = field === "text" ? "entities" : "caption_entities";
    next[field] = text;
    delete next[entitiesField];
    const entities = commandEntities(text);
    if (entities.length > 0) next[entitiesField] = entities;
    next.edit_date = this.core.state.now();
    rec.msg = next as unknown as Message;
    this.core.updates.push({ edited_message: rec.msg } as PushedUpdate);
    return rec.msg;
  }

  /**
   * The user presses an inline button: pushes a callback_query and returns its id. Throws if the
   * message has no button with that callback_data, unless `force`.
   */
  pressButton(
    user: TestUser,
    ref: MessageRef,
    callbackData: string,
    opts: { force?: boolean } = {},
  ): string {
    const rec = this.rec(ref);
    if (!opts.force) {
      const rows = (rec.msg.reply_markup?.inline_keyboard ?? []) as Array<
        Array<{ callback_data?: string }>
      >;
      const found = rows.some((row) => row.some((b) => b.callback_data === callbackData));
      if (!found) {
        const have = rows
          .flat()
          .map((b) => b.callback_data)
          .filter(Boolean);
        throw new Error(
          `pressButton: message ${rec.msg.message_id} has no button "${callbackData}" (has: ${JSON.stringify(have)})`,
        );
      }
    }
    const from = this.knownUser(user);
    const id = this.core.state.newCallbackId(from.id);
    this.core.updates.push({
      callback_query: {
        id,
        from,
        message: rec.msg,
        chat_instance: rec.chat.instance,
        data: callbackData,
      },
    } as PushedUpdate);
    return id;
  }

  get callbackAnswers(): CallbackAnswer[] {
    return this.core.callbackAnswers;
  }

  // ---- agents (forum supergroups) -----------------------------------------------------------

  /** A supergroup (a forum unless isForum=false) where the bot is an admin that manages topics. */
  createForumGroup(opts: {
    title: string;
    members?: Array<{ user: TestUser; status?: MemberStatus }>;
    username?: string;
    isForum?: boolean;
    id?: number;
  }): Chat {
    const chat = this.core.state.createGroup({
      title: opts.title,
      username: opts.username,
      isForum: opts.isForum ?? true,
      id: opts.id,
    });
    const bot = this.core.bot;
    chat.members.set(bot.id, { status: "administrator", user: bot, can_manage_topics: true });
    for (const m of opts.members ?? []) this.addMember(chat.id, m.user, m.status ?? "member");
    return chat.chat;
  }

  addMember(chatId: number, user: TestUser, status: MemberStatus = "member"): void {
    const chat = this.group(chatId);
    const u = this.knownUser(user);
    const rec: MemberRec = { status, user: u };
    if (status === "administrator") rec.can_manage_topics = true;
    chat.members.set(u.id, rec);
  }

  /** Removes a member (`ban` → kicked). Removing the bot makes sends answer 403. */
  removeMember(chatId: number, userId: number, opts: { ban?: boolean } = {}): void {
    const chat = this.group(chatId);
    const m = chat.members.get(userId);
    const user = m?.user ?? this.core.state.users.get(userId);
    if (!user) throw new Error(`removeMember: unknown user ${userId}`);
    chat.members.set(userId, { status: opts.ban ? "kicked" : "left", user });
  }

  /** A member writes in the group, or in a topic (`message_thread_id`). */
  sendGroupMessage(
    chatId: number,
    user: TestUser,
    text: string,
    opts: GroupMessageOptions = {},
  ): Message {
    const chat = this.group(chatId);
    const content: Record<string, unknown> = { text };
    const entities = commandEntities(text);
    if (entities.length > 0) content.entities = entities;
    return this.pushGroupMessage(chat, user, content, opts);
  }

  sendGroupMedia(
    chatId: number,
    user: TestUser,
    kind: MediaKind,
    opts: GroupMessageOptions & MediaExtra = {},
  ): Message {
    const chat = this.group(chatId);
    return this.pushGroupMessage(chat, user, this.mediaContent(kind, opts), opts);
  }

  /** Someone deletes the topic in the Telegram app (no update is sent, as in Telegram). */
  deleteTopicByHand(chatId: number, threadId: number): void {
    this.topicRec(chatId, threadId).deleted = true;
  }

  /** Someone closes the topic in the app; with `by`, the forum_topic_closed message is pushed. */
  closeTopicByHand(chatId: number, threadId: number, by?: TestUser): void {
    const topic = this.topicRec(chatId, threadId);
    topic.closed = true;
    if (by) {
      const chat = this.group(chatId);
      this.pushMessage(
        chat,
        this.knownUser(by),
        { forum_topic_closed: {} },
        {},
        threadId,
        topic.creation,
      );
    }
  }

  // ---- raw updates --------------------------------------------------------------------------

  /** Queues any update (update_id is assigned). */
  pushUpdate(body: PushedUpdate): Update {
    return this.core.updates.push(body);
  }

  /** Updates waiting for getUpdates or webhook delivery. */
  pendingUpdates(): number {
    return this.core.updates.pending();
  }

  /** The last update_id handed out (never goes back, not even on reset). */
  get updateIdCounter(): number {
    return this.core.updates.lastUpdateId;
  }

  // ---- inspection ---------------------------------------------------------------------------

  /** Every API call in order (empty if started with recordCalls: false). */
  get calls(): CallRecord[] {
    return this.core.calls;
  }

  /** What the bot sent to the chat (optionally one topic), in order, minus deleted messages. */
  sentMessages(chatId: number, threadId?: number): SentMessage[] {
    const chat = this.core.state.chats.get(chatId);
    if (!chat) return [];
    const out: SentMessage[] = [];
    for (const rec of chat.botSent) {
      if (rec.deleted || (threadId !== undefined && rec.threadId !== threadId)) continue;
      out.push(this.core.view(rec));
    }
    return out;
  }

  /** The current version of a stored message (undefined if deleted or unknown). */
  message(chatId: number, messageId: number): Message | undefined {
    const chat = this.core.state.chats.get(chatId);
    return chat ? this.core.state.live(chat, messageId)?.msg : undefined;
  }

  chat(chatId: number): Chat | undefined {
    return this.core.state.chats.get(chatId)?.chat;
  }

  topics(chatId: number): ForumTopicState[] {
    const chat = this.core.state.chats.get(chatId);
    return chat ? [...chat.topics.values()].map(topicState) : [];
  }

  topic(chatId: number, threadId: number): ForumTopicState | undefined {
    const t = this.core.state.chats.get(chatId)?.topics.get(threadId);
    return t ? topicState(t) : undefined;
  }

  /** Status of a user (or the bot) in a group. */
  memberStatus(chatId: number, userId: number): MemberStatus | undefined {
    return this.core.state.chats.get(chatId)?.members.get(userId)?.status;
  }

  commands(scope?: CommandScope, languageCode?: string): BotCommand[] {
    return this.core.state.commands.get(commandsKey(scope, languageCode)) ?? [];
  }

  webhookInfo(): Record<string, unknown> {
    return getWebhookInfo(this.core, new Params({}), { onAbort: () => {} }) as Record<
      string,
      unknown
    >;
  }

  /**
   * Calls `listener` synchronously after every API call is handled (also with recordCalls:
   * false); returns a remover. Cheap enough for benchmarks that observe every send.
   */
  onCall(listener: (call: CallRecord) => void): () => void {
    return this.core.onCall(listener);
  }

  /** A cursor for `waitFor(..., { since })`: the seq the next call will get. */
  cursor(): number {
    return this.core.nextSeq;
  }

  /**
   * Resolves with the first API call (after handling) matching `predicate`; event-driven.
   * Only future calls match unless `since` is given.
   */
  waitFor(
    predicate: (call: CallRecord) => boolean,
    timeoutMs = 5_000,
    opts: WaitOptions = {},
  ): Promise<CallRecord> {
    if (opts.since !== undefined) {
      for (const c of this.core.calls)
        if (c.seq >= opts.since && predicate(c)) return Promise.resolve(c);
    }
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        off();
        clearTimeout(timer);
      };
      const off = this.core.onCall((c) => {
        let hit = false;
        try {
          hit = predicate(c);
        } catch (err) {
          cleanup();
          reject(err);
          return;
        }
        if (hit) {
          cleanup();
          resolve(c);
        }
      });
      const timer = setTimeout(() => {
        cleanup();
        const last = this.core.calls
          .slice(-5)
          .map((c) => `${c.method}${c.ok ? "" : ` (${c.error?.error_code})`}`)
          .join(", ");
        reject(
          new Error(
            `FakeTelegram.waitFor: nothing matched within ${timeoutMs} ms; last calls: ${last}`,
          ),
        );
      }, timeoutMs);
    });
  }

  /** Waits for a successful call of `method` (case-insensitive) matching `predicate`. */
  waitForCall(
    method: string,
    predicate: (call: CallRecord) => boolean = () => true,
    timeoutMs = 5_000,
    opts: WaitOptions = {},
  ): Promise<CallRecord> {
    const m = method.toLowerCase();
    return this.waitFor(
      (c) => c.ok && c.method.toLowerCase() === m && predicate(c),
      timeoutMs,
      opts,
    );
  }

  /** Waits for a bot message (sent, copied, forwarded or edited) matching `predicate`. */
  async waitForMessage(
    predicate: (message: SentMessage) => boolean = () => true,
    timeoutMs = 5_000,
    opts: WaitOptions = {},
  ): Promise<SentMessage> {
    const call = await this.waitFor(
      (c) => c.message !== undefined && predicate(c.message),
      timeoutMs,
      opts,
    );
    return call.message as SentMessage;
  }

  /** Forgets all state, logs, faults, limits, webhook and pending updates; update_ids continue. */
  reset(): void {
    this.core.reset();
  }

  // ---- internals ----------------------------------------------------------------------------

  private privateChat(userId: number): ChatRec {
    const chat = this.core.state.chats.get(userId);
    if (chat?.type !== "private") throw new Error(`unknown user ${userId}: call addUser first`);
    return chat;
  }

  private group(chatId: number): ChatRec {
    const chat = this.core.state.chats.get(chatId);
    if (!chat || chat.type === "private") throw new Error(`unknown group ${chatId}`);
    return chat;
  }

  private topicRec(chatId: number, threadId: number) {
    const topic = this.group(chatId).topics.get(threadId);
    if (!topic) throw new Error(`unknown topic ${threadId} in ${chatId}`);
    return topic;
  }

  /** Registers a user without opening a private chat (agents who never started the bot). */
  private knownUser(user: TestUser): User {
    const existing = this.core.state.users.get(user.id);
    if (
      existing &&
      existing.first_name === user.first_name &&
      existing.username === user.username
    ) {
      return existing;
    }
    const chat = this.core.state.chats.get(user.id);
    if (chat) return this.core.state.addUser(user).user as User;
    const u: User = { id: user.id, is_bot: false, first_name: user.first_name };
    if (user.last_name !== undefined) u.last_name = user.last_name;
    if (user.username !== undefined) u.username = user.username;
    if (user.language_code !== undefined) u.language_code = user.language_code;
    this.core.state.users.set(u.id, u);
    return u;
  }

  private rec(ref: MessageRef): MsgRec {
    const chatId = "chat_id" in ref ? ref.chat_id : ref.chat.id;
    const chat = this.core.state.chats.get(chatId);
    const rec = chat ? this.core.state.live(chat, ref.message_id) : undefined;
    if (!rec)
      throw new Error(`message ${ref.message_id} in chat ${chatId} does not exist (deleted?)`);
    return rec;
  }

  private mediaContent(kind: MediaKind, extra: MediaExtra): Record<string, unknown> {
    const media = this.core.files.create(kind, {
      bytes: extra.bytes,
      file_name: extra.file_name,
      mime_type: extra.mime_type,
    });
    const content: Record<string, unknown> = { [kind]: media };
    if (extra.caption) {
      content.caption = extra.caption;
      const entities = commandEntities(extra.caption);
      if (entities.length > 0) content.caption_entities = entities;
    }
    return content;
  }

  private pushGroupMessage(
    chat: ChatRec,
    user: TestUser,
    content: Record<string, unknown>,
    opts: GroupMessageOptions,
  ): Message {
    const from = this.knownUser(user);
    const member = chat.members.get(from.id);
    if (member?.status === "left" || member?.status === "kicked") {
      throw new Error(`user ${from.id} is not a member of ${chat.id}`);
    }
    if (!member) chat.members.set(from.id, { status: "member", user: from });
    const threadId = opts.message_thread_id;
    let replyTo: Message | undefined;
    if (threadId !== undefined) {
      const topic = chat.topics.get(threadId);
      if (!topic || topic.deleted)
        throw new Error(`topic ${threadId} does not exist in ${chat.id}`);
      const admin = member?.status === "creator" || member?.status === "administrator";
      if (topic.closed && !admin) throw new Error(`topic ${threadId} is closed`);
      replyTo = topic.creation;
    }
    return this.pushMessage(chat, from, content, opts, threadId, replyTo);
  }

  private pushMessage(
    chat: ChatRec,
    from: User,
    content: Record<string, unknown>,
    extra: MessageExtra & {
      message_thread_id?: number;
      bytes?: unknown;
      file_name?: unknown;
      mime_type?: unknown;
    },
    threadId: number | undefined,
    topicCreation?: Message,
  ): Message {
    const {
      reply_to_message_id,
      message_thread_id: _t,
      bytes: _b,
      file_name: _f,
      mime_type: _m,
      caption: _c,
      ...fields
    } = extra;
    let replyTo = topicCreation;
    let thread = threadId;
    if (reply_to_message_id !== undefined) {
      const target = this.core.state.live(chat, reply_to_message_id);
      if (!target)
        throw new Error(`reply target ${reply_to_message_id} does not exist in ${chat.id}`);
      replyTo = target.msg;
      thread ??= target.threadId;
    }
    const rec = this.core.state.addMessage(
      chat,
      { ...content, ...fields },
      {
        from,
        threadId: thread,
        replyTo,
        byBot: false,
        via: "user",
      },
    );
    this.core.updates.push({ message: rec.msg } as PushedUpdate);
    return rec.msg;
  }

  private pushMyChatMember(
    chat: ChatRec,
    from: "member" | "kicked",
    to: "member" | "kicked",
  ): void {
    const user = chat.user as User;
    const bot = this.core.bot;
    const view = (status: string) =>
      status === "kicked" ? { status, user: bot, until_date: 0 } : { status, user: bot };
    this.core.updates.push({
      my_chat_member: {
        chat: chat.chat,
        from: user,
        date: this.core.state.now(),
        old_chat_member: view(from),
        new_chat_member: view(to),
      },
    } as PushedUpdate);
  }
}

function topicState(t: ForumTopicState): ForumTopicState {
  const s: ForumTopicState = {
    message_thread_id: t.message_thread_id,
    name: t.name,
    icon_color: t.icon_color,
    closed: t.closed,
    deleted: t.deleted,
  };
  if (t.icon_custom_emoji_id !== undefined) s.icon_custom_emoji_id = t.icon_custom_emoji_id;
  return s;
}
