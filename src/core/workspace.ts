// The port a platform implements to host the agent desk: one thread per ticket in a private
// staff place (Telegram forum topics, Discord private threads or forum posts, the web desk),
// and what agents do there, translated into AgentEvents.
import type { SendOptions } from "./channel.ts";
import type { MediaRef, OutboundMessage, RateLimit } from "./types.ts";

export interface WorkspaceLimits {
  /** Longest text of one post (the card included). */
  textLength: number;
  /** Longest thread title. */
  titleLength: number;
  /** Longest button payload in bytes. */
  payloadBytes: number;
}

/** What a workspace may show about a ticket in its thread's title, tags or card. */
export interface TicketHeader {
  number: number;
  /** Already cut to `limits.titleLength`. */
  title: string;
  status: "queued" | "assigned" | "waiting_customer" | "closed";
  skill: string;
  locale: string;
  agentAlias?: string;
}

export interface ThreadRef {
  threadId: string;
  cardMessageId: string;
}

export interface OpenThreadOptions extends SendOptions {
  /** A thread made by an earlier attempt whose card did not go out: post the card there. */
  resumeThreadId?: string;
}

export interface AgentWorkspace {
  /** Unique across platforms and chats, e.g. "telegram:-1001234567890". */
  readonly id: string;
  /** The channel whose sends this workspace's posts share pacing with. */
  readonly channel: string;
  readonly limits: WorkspaceLimits;
  /** The lane and limit the desk paces its posts by (shared with the outbox's lane). */
  readonly pacing: { lane: string; limit: RateLimit };
  /** Makes the ticket's thread and posts the card as its first message, in one call. */
  openThread(
    ticket: TicketHeader,
    card: OutboundMessage,
    options: OpenThreadOptions,
  ): Promise<ThreadRef>;
  /** Posts into a thread (or the workspace's general place); throws DeliveryError or ThreadGoneError. */
  post(
    threadId: string | undefined,
    message: OutboundMessage,
    options: SendOptions,
  ): Promise<string>;
  /**
   * Shows the ticket's state (Telegram renames the topic; Discord edits the card or sets tags).
   * Must never cause a rename storm: workspaces whose platform limits renames edit instead.
   */
  showStatus(thread: ThreadRef, ticket: TicketHeader, card: OutboundMessage): Promise<void>;
  closeThread(threadId: string): Promise<void>;
  reopenThread(threadId: string): Promise<void>;
  /** Whether an account ("telegram:777") may act as an agent here right now. */
  isAgent(agentId: string): Promise<boolean>;
  /** Preflight: null when the workspace can host the desk, else one sentence saying what to change. */
  check(): Promise<string | null>;
}

interface AgentEventBase {
  /** Unique per platform delivery, like InboundEvent's. */
  idempotencyKey: string;
  /** The `AgentWorkspace.id` it happened in. */
  workspaceId: string;
  /** The agent's platform account, e.g. "telegram:777". */
  agentId: string;
  /** The agent's own first name; the default pseudonym. */
  agentName: string;
  /** The ticket thread it happened in; absent in the workspace's general place. */
  threadId?: string;
  at: number;
}

export type AgentEvent =
  | (AgentEventBase & { type: "message"; text: string; media?: MediaRef })
  | (AgentEventBase & { type: "command"; command: string; args: string })
  | (AgentEventBase & { type: "button"; payload: string });
