// What the web playground shows, kept in Redis: one bounded stream per customer (their chat as
// they see it, and the debugger's turn records), one stream for the agent desk, thread records
// and posts, and uploaded images. Streams give every entry an id, which is what the page
// resumes from after a reload or a dropped connection (Last-Event-ID): nothing lost, nothing twice.
import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { OutboundMessage, TicketHeader } from "../../src/index.ts";

/** One entry of a customer's stream, as the page renders it. */
export type CustomerEntry =
  /** `key` is the event's idempotency key: the debugger ties its turn to what was said. */
  | { kind: "customer"; text: string; media?: WebMedia; key?: string; at: number }
  | { kind: "bot"; message: WebMessage; at: number }
  | { kind: "failed"; text: string; at: number }
  | { kind: "debug"; turn: unknown; at: number };

/** One entry of the desk's stream. */
export type DeskEntry =
  | { kind: "open"; thread: ThreadRecord; card: WebMessage; at: number }
  | { kind: "post"; threadId: string; messageId: string; message: WebMessage; at: number }
  | { kind: "status"; thread: ThreadRecord; card: WebMessage; at: number }
  | { kind: "closed" | "reopened" | "deleted"; threadId: string; at: number }
  | { kind: "rated"; ticket: number; score: number; at: number };

/** A message as the page shows it: media already turned into something the page can load. */
export interface WebMessage {
  text: string;
  buttons?: { label: string; payload: string }[];
  media?: WebMedia;
  mentions?: string[];
  /** Set on what an agent wrote in the pane itself (the desk never posts it back). */
  author?: string;
}

export interface WebMedia {
  kind: string;
  name?: string;
  /** Set when this server holds the file (GET /media/<id>); otherwise only named. */
  id?: string;
  from: string;
}

export interface ThreadRecord {
  threadId: string;
  cardMessageId: string;
  header: TicketHeader;
  closed: boolean;
  openedAt: number;
}

export interface StoredMedia {
  data: Buffer;
  mime: string;
  name: string;
}

/** How much is kept: bounded per stream, and forgotten after a month without use. */
export const WEB_RETENTION = {
  customerEntries: 500,
  deskEntries: 10_000,
  postsPerThread: 2_000,
  idleSeconds: 30 * 24 * 3600,
  mediaSeconds: 7 * 24 * 3600,
  /** Covers every redelivery of one send by the outbox. */
  sentKeySeconds: 26 * 3600,
} as const;

// KEYS[1] the send's dedupe key, KEYS[2] the stream; ARGV[1] entry JSON, ARGV[2] max length,
// ARGV[3] stream TTL (s), ARGV[4] dedupe TTL (s) → the entry's stream id (the first one's, on a
// repeated send).
const APPEND_ONCE = `
local id = redis.call('GET', KEYS[1])
if id then return id end
id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[1], id, 'EX', ARGV[4])
return id
`;

// KEYS[1] the post's dedupe key, KEYS[2] the thread's posts, KEYS[3] the desk stream; ARGV[1]
// message id, ARGV[2] post JSON, ARGV[3] desk entry JSON, ARGV[4] posts kept, ARGV[5] desk
// entries kept, ARGV[6] idle TTL (s), ARGV[7] dedupe TTL (s), ARGV[8] '1' to tell the desk's
// stream (a card is told by its thread's open entry instead) → the post's message id (the first
// one's, on a repeated post). One script, so a crash never leaves a post half-made.
const ADD_POST_ONCE = `
local id = redis.call('GET', KEYS[1])
if id then return id end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[7])
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[6])
if ARGV[8] == '1' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[3])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
return ARGV[1]
`;

export type StreamName = "desk" | `c.${string}`;

export class WebStore {
  /**
   * Emits a stream's name after every write to it, by this process or any other on the same
   * Redis and prefix (a second playground, a worker): writes are announced over Redis pub/sub,
   * so a page never waits for a reply another process delivered. Starts with `follow()`.
   */
  readonly changes = new EventEmitter();
  private subscriber: Redis | undefined;

  constructor(
    readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.changes.setMaxListeners(0);
  }

  private get announcements(): string {
    return this.key("changes");
  }

  /** Listens for every process's writes (one subscriber connection); idempotent. */
  async follow(): Promise<void> {
    if (this.subscriber) return;
    const subscriber = this.redis.duplicate();
    subscriber.on("error", () => {}); // (reconnects by itself; the page resumes by its cursor)
    this.subscriber = subscriber;
    subscriber.on("message", (_channel: string, stream: string) =>
      this.changes.emit("change", stream),
    );
    await subscriber.subscribe(this.announcements);
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  /** Tells every follower, in any process, that a stream has something new. */
  private announce(stream: StreamName): void {
    if (!this.subscriber) {
      this.changes.emit("change", stream);
      return;
    }
    this.redis.publish(this.announcements, stream).catch(() => {
      // Redis is away: this process's own pages still hear of it; the others catch up on
      // their next change or reconnect (their cursor loses nothing).
      this.changes.emit("change", stream);
    });
  }

  private key(...parts: string[]): string {
    return `${this.prefix}web:${parts.join(":")}`;
  }

  streamKey(stream: StreamName): string {
    return stream === "desk" ? this.key("desk") : this.key("c", stream.slice(2));
  }

  /** Appends to a customer's stream; with `once`, a repeated call with the same key appends nothing. */
  async appendCustomer(customerId: string, entry: CustomerEntry, once?: string): Promise<string> {
    return this.append(`c.${customerId}`, entry, WEB_RETENTION.customerEntries, once);
  }

  async appendDesk(entry: DeskEntry, once?: string): Promise<string> {
    return this.append("desk", entry, WEB_RETENTION.deskEntries, once);
  }

  private async append(
    stream: StreamName,
    entry: CustomerEntry | DeskEntry,
    maxLength: number,
    once: string | undefined,
  ): Promise<string> {
    const key = this.streamKey(stream);
    const json = JSON.stringify(entry);
    let id: string;
    if (once) {
      id = String(
        await this.redis.eval(
          APPEND_ONCE,
          2,
          this.key("sent", once),
          key,
          json,
          maxLength,
          WEB_RETENTION.idleSeconds,
          WEB_RETENTION.sentKeySeconds,
        ),
      );
    } else {
      const [[, added]] = (await this.redis
        .multi()
        .xadd(key, "MAXLEN", "~", maxLength, "*", "e", json)
        .expire(key, WEB_RETENTION.idleSeconds)
        .exec()) as [[Error | null, string]];
      id = added;
    }
    this.announce(stream);
    return id;
  }

  /** Entries after `afterId` (exclusive; "0" for all), oldest first. */
  async read(
    stream: StreamName,
    afterId: string,
    count = 200,
  ): Promise<{ id: string; entry: unknown }[]> {
    const start = afterId === "0" ? "-" : `(${afterId}`;
    const rows = await this.redis.xrange(this.streamKey(stream), start, "+", "COUNT", count);
    return rows.map(([id, fields]) => ({ id, entry: JSON.parse(fields[1] ?? "null") }));
  }

  async saveThread(thread: ThreadRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key("threads"), thread.threadId, JSON.stringify(thread))
      .expire(this.key("threads"), WEB_RETENTION.idleSeconds)
      .exec();
  }

  async thread(threadId: string): Promise<ThreadRecord | null> {
    const raw = await this.redis.hget(this.key("threads"), threadId);
    return raw ? (JSON.parse(raw) as ThreadRecord) : null;
  }

  async threads(): Promise<ThreadRecord[]> {
    const all = await this.redis.hvals(this.key("threads"));
    return all.map((raw) => JSON.parse(raw) as ThreadRecord);
  }

  async newThreadId(): Promise<string> {
    return String(await this.redis.incr(this.key("thread-seq")));
  }

  /** Keeps a post under its idempotency key once; returns its message id. */
  async addPost(
    threadId: string,
    message: WebMessage,
    once: string,
    options: { announce?: boolean } = {},
  ): Promise<string> {
    const messageId = `${threadId}.${await this.redis.incr(this.key("post-seq"))}`;
    const entry: DeskEntry = { kind: "post", threadId, messageId, message, at: Date.now() };
    const kept = String(
      await this.redis.eval(
        ADD_POST_ONCE,
        3,
        this.key("post", once),
        this.key("posts", threadId),
        this.key("desk"),
        messageId,
        JSON.stringify({ messageId, message }),
        JSON.stringify(entry),
        WEB_RETENTION.postsPerThread,
        WEB_RETENTION.deskEntries,
        WEB_RETENTION.idleSeconds,
        WEB_RETENTION.sentKeySeconds,
        options.announce === false ? "0" : "1",
      ),
    );
    this.announce("desk");
    return kept;
  }

  async posts(threadId: string): Promise<{ messageId: string; message: WebMessage }[]> {
    const raw = await this.redis.lrange(this.key("posts", threadId), 0, -1);
    return raw.map((r) => JSON.parse(r) as { messageId: string; message: WebMessage });
  }

  /** A thread that vanished (its keys expired, or deleted by hand): posts into it fail. */
  async deleteThread(threadId: string): Promise<void> {
    await this.redis.hdel(this.key("threads"), threadId);
    await this.redis.del(this.key("posts", threadId));
    await this.appendDesk({ kind: "deleted", threadId, at: Date.now() });
  }

  async saveMedia(id: string, media: StoredMedia): Promise<void> {
    const key = this.key("media", id);
    await this.redis
      .multi()
      .hset(key, { data: media.data, mime: media.mime, name: media.name })
      .expire(key, WEB_RETENTION.mediaSeconds)
      .exec();
  }

  async media(id: string): Promise<StoredMedia | null> {
    const key = this.key("media", id);
    const [data, mime, name] = await Promise.all([
      this.redis.hgetBuffer(key, "data"),
      this.redis.hget(key, "mime"),
      this.redis.hget(key, "name"),
    ]);
    return data && mime ? { data, mime, name: name ?? "image" } : null;
  }
}

/** An OutboundMessage as the page shows it. */
export function toWebMessage(message: OutboundMessage): WebMessage {
  return {
    text: message.text,
    ...(message.buttons?.length ? { buttons: message.buttons } : {}),
    ...(message.media
      ? {
          media: {
            kind: message.media.kind,
            from: message.media.channel,
            ...(message.media.name ? { name: message.media.name } : {}),
            ...(message.media.channel === "web" ? { id: message.media.ref } : {}),
          },
        }
      : {}),
    ...(message.mentions?.length ? { mentions: message.mentions.map((m) => m.name) } : {}),
  };
}
