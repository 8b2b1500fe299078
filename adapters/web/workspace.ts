// The web desk: one thread per ticket in the playground's agent pane. Threads, their posts and
// every change live in Redis (store.ts); the page follows the desk's stream. Agents are the
// accounts the playground was started with (one, "web:agent", unless told otherwise).
import {
  type AgentWorkspace,
  type OpenThreadOptions,
  type OutboundMessage,
  type SendOptions,
  ThreadGoneError,
  type ThreadRef,
  type TicketHeader,
} from "../../src/index.ts";
import { WEB_CHANNEL, WEB_LIMITS } from "./channel.ts";
import { type ThreadRecord, toWebMessage, type WebStore } from "./store.ts";

export interface WebAgent {
  id: string;
  name: string;
}

/** The general place: answers to /alias and notices that belong to no ticket. */
export const GENERAL_THREAD = "general";

export class WebWorkspace implements AgentWorkspace {
  readonly id = `${WEB_CHANNEL}:desk`;
  readonly channel = WEB_CHANNEL;
  readonly limits = {
    textLength: WEB_LIMITS.textLength,
    titleLength: WEB_LIMITS.titleLength,
    payloadBytes: WEB_LIMITS.payloadBytes,
  };
  readonly pacing = { lane: `${WEB_CHANNEL}:desk`, limit: { burst: 100, perSecond: 100 } };

  constructor(
    private readonly store: WebStore,
    readonly agents: readonly WebAgent[],
  ) {}

  async openThread(
    ticket: TicketHeader,
    card: OutboundMessage,
    options: OpenThreadOptions,
  ): Promise<ThreadRef> {
    const resumed = options.resumeThreadId ? await this.store.thread(options.resumeThreadId) : null;
    if (options.resumeThreadId && !resumed) throw new ThreadGoneError(options.resumeThreadId);
    const threadId = resumed?.threadId ?? (await this.store.newThreadId());
    // The card is the thread's first post; the pane learns of it from the open entry below.
    const cardMessageId = await this.store.addPost(
      threadId,
      toWebMessage(card),
      options.idempotencyKey,
      { announce: false },
    );
    const thread: ThreadRecord = resumed
      ? { ...resumed, cardMessageId, header: ticket }
      : { threadId, cardMessageId, header: ticket, closed: false, openedAt: Date.now() };
    await this.store.saveThread(thread);
    await this.store.appendDesk({ kind: "open", thread, card: toWebMessage(card), at: Date.now() });
    return { threadId, cardMessageId };
  }

  async post(
    threadId: string | undefined,
    message: OutboundMessage,
    options: SendOptions,
  ): Promise<string> {
    const id = threadId ?? GENERAL_THREAD;
    if (threadId !== undefined && !(await this.store.thread(threadId)))
      throw new ThreadGoneError(`web: thread ${threadId} is gone`);
    // A closed thread still takes posts (a late note, the customer's rating): the pane shows them.
    return this.store.addPost(id, toWebMessage(message), options.idempotencyKey);
  }

  /** The pane shows the header as the thread's title and state; the card is replaced in place. */
  async showStatus(ref: ThreadRef, ticket: TicketHeader, card: OutboundMessage): Promise<void> {
    const thread = await this.store.thread(ref.threadId);
    if (!thread) return;
    const updated = { ...thread, header: ticket };
    await this.store.saveThread(updated);
    await this.store.appendDesk({
      kind: "status",
      thread: updated,
      card: toWebMessage(card),
      at: Date.now(),
    });
  }

  async closeThread(threadId: string): Promise<void> {
    await this.setClosed(threadId, true);
  }

  async reopenThread(threadId: string): Promise<void> {
    await this.setClosed(threadId, false);
  }

  private async setClosed(threadId: string, closed: boolean): Promise<void> {
    const thread = await this.store.thread(threadId);
    if (!thread || thread.closed === closed) return;
    await this.store.saveThread({ ...thread, closed });
    await this.store.appendDesk({
      kind: closed ? "closed" : "reopened",
      threadId,
      at: Date.now(),
    });
  }

  async isAgent(agentId: string): Promise<boolean> {
    return this.agents.some((a) => a.id === agentId);
  }

  async check(): Promise<string | null> {
    if (this.agents.length === 0)
      return "the web desk has no agent account: start it with at least one (web:<name>).";
    try {
      await this.store.redis.ping();
    } catch (err) {
      return `the web desk cannot reach Redis (${(err as Error).message}); check REDIS_URL.`;
    }
    return null;
  }
}
