// In-memory world of the fake: users, chats, per-chat message stores, topics, members, callbacks.
import type { BotCommand, Chat, Message, User } from "grammy/types";
import type { ForumTopicState, MemberStatus, TestUser } from "./types.ts";

/** A stored message. `msg` is replaced (never mutated) on edit, so earlier snapshots stay valid. */
export interface MsgRec {
  msg: Message;
  chat: ChatRec;
  threadId: number | undefined;
  byBot: boolean;
  /** API method (or "user") that created it. */
  via: string;
  parseMode: string | undefined;
  /** reply_markup exactly as sent by the bot. */
  markup: unknown;
  service: boolean;
  deleted: boolean;
}

export interface TopicRec extends ForumTopicState {
  creation: Message;
}

export interface MemberRec {
  status: MemberStatus;
  user: User;
  until_date?: number;
  can_manage_topics?: boolean;
}

export interface ChatRec {
  id: number;
  type: "private" | "supergroup";
  /** The compact Chat object embedded in messages. */
  chat: Chat;
  user: User | undefined;
  title: string | undefined;
  username: string | undefined;
  isForum: boolean;
  nextId: number;
  messages: Map<number, MsgRec>;
  /** Non-service messages the bot sent here, in order. */
  botSent: MsgRec[];
  topics: Map<number, TopicRec>;
  members: Map<number, MemberRec>;
  blocked: boolean;
  instance: string;
}

export interface AddMessageOptions {
  from: User | undefined;
  threadId?: number | undefined;
  replyTo?: Message | undefined;
  byBot: boolean;
  via: string;
  parseMode?: string | undefined;
  markup?: unknown;
  service?: boolean;
}

const GROUP_ID_BASE = 1_001_000_000_000;

export function toUser(u: TestUser | User): User {
  const user: User = {
    id: u.id,
    is_bot: "is_bot" in u ? u.is_bot : false,
    first_name: u.first_name,
  };
  if (u.last_name !== undefined) user.last_name = u.last_name;
  if (u.username !== undefined) user.username = u.username;
  if (u.language_code !== undefined) user.language_code = u.language_code;
  if (u.is_premium !== undefined) user.is_premium = u.is_premium;
  return user;
}

/** A message as embedded in another (reply_to_message never nests). */
export function embedded(m: Message): Message {
  if (m.reply_to_message === undefined) return m;
  const { reply_to_message: _drop, ...rest } = m;
  return rest as Message;
}

export class State {
  readonly users = new Map<number, User>();
  readonly chats = new Map<number, ChatRec>();
  readonly usernames = new Map<string, ChatRec>();
  /** callback_query id → answered? */
  readonly callbacks = new Map<string, { answered: boolean; userId: number }>();
  /** `${scopeKey}|${language_code}` → commands */
  readonly commands = new Map<string, BotCommand[]>();
  private groupSeq = 0;
  private callbackSeq = 0;

  constructor(readonly bot: User) {
    this.users.set(bot.id, bot);
  }

  now(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** Registers (or refreshes) a user and makes sure their private chat exists. */
  addUser(u: TestUser | User): ChatRec {
    const user = toUser(u);
    this.users.set(user.id, user);
    let chat = this.chats.get(user.id);
    if (!chat) {
      const c: Chat = { id: user.id, type: "private", first_name: user.first_name };
      if (user.last_name !== undefined) c.last_name = user.last_name;
      if (user.username !== undefined) c.username = user.username;
      chat = this.newChat(user.id, "private", c, false);
      chat.user = user;
      if (user.username) this.usernames.set(user.username.toLowerCase(), chat);
    } else {
      chat.user = user;
    }
    return chat;
  }

  createGroup(opts: { title: string; username?: string; isForum: boolean; id?: number }): ChatRec {
    const id = opts.id ?? -(GROUP_ID_BASE + ++this.groupSeq);
    if (id >= 0) throw new Error("group ids must be negative");
    if (this.chats.has(id)) throw new Error(`chat ${id} already exists`);
    const c: Chat = opts.isForum
      ? { id, type: "supergroup", title: opts.title, is_forum: true }
      : { id, type: "supergroup", title: opts.title };
    if (opts.username) c.username = opts.username;
    const chat = this.newChat(id, "supergroup", c, opts.isForum);
    chat.title = opts.title;
    chat.username = opts.username;
    if (opts.username) this.usernames.set(opts.username.toLowerCase(), chat);
    return chat;
  }

  private newChat(id: number, type: ChatRec["type"], chat: Chat, isForum: boolean): ChatRec {
    const rec: ChatRec = {
      id,
      type,
      chat,
      user: undefined,
      title: undefined,
      username: undefined,
      isForum,
      nextId: 1,
      messages: new Map(),
      botSent: [],
      topics: new Map(),
      members: new Map(),
      blocked: false,
      instance: String(7_000_000_000_000_000n + BigInt(Math.abs(id))),
    };
    this.chats.set(id, rec);
    return rec;
  }

  resolve(chatId: number | string): ChatRec | undefined {
    if (typeof chatId === "number") return this.chats.get(chatId);
    return chatId.startsWith("@") ? this.usernames.get(chatId.slice(1).toLowerCase()) : undefined;
  }

  addMessage(chat: ChatRec, content: Record<string, unknown>, o: AddMessageOptions): MsgRec {
    const base: Record<string, unknown> = { message_id: chat.nextId++ };
    if (o.threadId !== undefined) base.message_thread_id = o.threadId;
    if (o.from) base.from = o.from;
    base.chat = chat.chat;
    base.date = this.now();
    if (o.threadId !== undefined && chat.isForum) base.is_topic_message = true;
    if (o.replyTo) base.reply_to_message = embedded(o.replyTo);
    const msg = Object.assign(base, content) as unknown as Message;
    const rec: MsgRec = {
      msg,
      chat,
      threadId: o.threadId,
      byBot: o.byBot,
      via: o.via,
      parseMode: o.parseMode,
      markup: o.markup,
      service: o.service ?? false,
      deleted: false,
    };
    chat.messages.set(msg.message_id, rec);
    if (o.byBot && !rec.service) chat.botSent.push(rec);
    return rec;
  }

  /** A message that still exists (not deleted, topic not deleted). */
  live(chat: ChatRec, messageId: number): MsgRec | undefined {
    const rec = chat.messages.get(messageId);
    if (!rec || rec.deleted) return undefined;
    if (rec.threadId !== undefined && chat.topics.get(rec.threadId)?.deleted) return undefined;
    return rec;
  }

  deleteMessage(rec: MsgRec): void {
    rec.deleted = true;
    rec.chat.messages.delete(rec.msg.message_id);
  }

  newCallbackId(userId: number): string {
    const id = `${(++this.callbackSeq).toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    this.callbacks.set(id, { answered: false, userId });
    return id;
  }

  reset(): void {
    this.users.clear();
    this.users.set(this.bot.id, this.bot);
    this.chats.clear();
    this.usernames.clear();
    this.callbacks.clear();
    this.commands.clear();
  }
}
