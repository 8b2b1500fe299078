// The port a platform implements to host the agent desk: one thread per ticket in a private
// agent chat (Telegram forum topics, Discord private threads).
import type { OutboundMessage } from "../core/types.ts";

/** Thrown by `post` when the thread was deleted by hand: the desk makes a new one. */
export class ThreadGoneError extends Error {
  readonly code = "FL_ERR_THREAD_GONE";
}

export interface AgentWorkspace {
  /** Channel name of the agent chat ("telegram"). */
  readonly channel: string;
  /** The agent chat's id. */
  readonly chatId: string;
  openThread(title: string): Promise<string>;
  renameThread(threadId: string, title: string): Promise<void>;
  closeThread(threadId: string): Promise<void>;
  reopenThread(threadId: string): Promise<void>;
  /** Posts into a thread (or the chat's main thread); throws DeliveryError or ThreadGoneError. */
  post(threadId: string | undefined, message: OutboundMessage): Promise<string>;
  /** Whether an account ("telegram:777") is currently a member of the agent chat. */
  isMember(agentId: string): Promise<boolean>;
}

/** Something an agent did in the agent chat, translated by the adapter. */
export interface AgentEvent {
  idempotencyKey: string;
  agentId: string;
  /** The agent's own first name; the default pseudonym. */
  agentName: string;
  threadId?: string;
  type: "message" | "command" | "button";
  text?: string;
  command?: string;
  args?: string;
  payload?: string;
  /** The agent's message, for copying media to the customer. */
  messageRef?: { chatId: string; messageId: string };
  hasMedia?: boolean;
  at: number;
}
