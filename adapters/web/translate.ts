// What the page sends, checked (zod) and translated into the core's events: a customer's
// message, command or button press into an InboundEvent, an agent's into an AgentEvent.
import { z } from "zod";
import type { AgentEvent, InboundEvent, MediaRef } from "../../src/index.ts";
import { isCustomerId, WEB_CHANNEL, WEB_LIMITS } from "./channel.ts";

/** The page's own id for one action: a retried POST carries the same one and is applied once. */
const clientId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, "clientId must be 8-64 of A-Z a-z 0-9 _ -");
const text = z
  .string()
  .max(WEB_LIMITS.textLength, `text is longer than ${WEB_LIMITS.textLength} characters`);

export const CustomerBody = z.object({
  clientId,
  name: z.string().trim().min(1).max(64).default("Customer"),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}$/)
    .optional(),
});

export const CustomerMessageBody = CustomerBody.extend({ text });
export const CustomerButtonBody = CustomerBody.extend({
  payload: z.string().min(1).max(WEB_LIMITS.payloadBytes),
});
export const AgentMessageBody = z.object({
  clientId,
  threadId: z.string().max(40).optional(),
  text: text.min(1),
});
export const AgentImageBody = z.object({
  clientId,
  threadId: z.string().max(40),
  text,
});
export const AgentButtonBody = z.object({
  clientId,
  threadId: z.string().max(40),
  payload: z.string().min(1).max(WEB_LIMITS.payloadBytes),
});

export type CustomerMessage = z.infer<typeof CustomerMessageBody>;

export function customerId(raw: string): string {
  if (!isCustomerId(raw)) throw new BadRequest("a customer id is 1-40 of A-Z a-z 0-9 _ -");
  return raw;
}

export class BadRequest extends Error {}

/** A slash and a word at the start is a command, as on Telegram ("/human", "/language"). */
const COMMAND = /^\/([A-Za-z][A-Za-z0-9_]{0,31})(?:\s+([\s\S]*))?$/;

function customerBase(id: string, body: z.infer<typeof CustomerBody>) {
  return {
    idempotencyKey: `web:${id}:${body.clientId}`,
    conversationKey: `${WEB_CHANNEL}:${id}`,
    address: { channel: WEB_CHANNEL, chatId: id },
    user: { id, name: body.name, ...(body.locale ? { locale: body.locale } : {}) },
    at: Date.now(),
  };
}

export function customerMessage(id: string, body: CustomerMessage, media?: MediaRef): InboundEvent {
  const base = customerBase(id, body);
  const command = media ? null : COMMAND.exec(body.text.trim());
  if (command)
    return {
      ...base,
      type: "command",
      command: command[1]!.toLowerCase(),
      args: (command[2] ?? "").trim(),
    };
  return { ...base, type: "message", text: body.text, ...(media ? { attachments: [media] } : {}) };
}

export function customerButton(id: string, body: z.infer<typeof CustomerButtonBody>): InboundEvent {
  return { ...customerBase(id, body), type: "button", payload: body.payload };
}

export function agentEvent(
  workspaceId: string,
  agent: { id: string; name: string },
  body: z.infer<typeof AgentMessageBody> | z.infer<typeof AgentButtonBody>,
  media?: MediaRef,
): AgentEvent {
  const base = {
    idempotencyKey: `web-agent:${body.clientId}`,
    workspaceId,
    agentId: agent.id,
    agentName: agent.name,
    ...(body.threadId && body.threadId !== "general" ? { threadId: body.threadId } : {}),
    at: Date.now(),
  };
  if ("payload" in body) return { ...base, type: "button", payload: body.payload };
  if (media) return { ...base, type: "message", text: body.text, media };
  const command = COMMAND.exec(body.text.trim());
  if (command)
    return {
      ...base,
      type: "command",
      command: command[1]!.toLowerCase(),
      args: (command[2] ?? "").trim(),
    };
  return { ...base, type: "message", text: body.text };
}

/** Parses a body with a schema; a mistake is a 400 with the first problem in words. */
export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BadRequest(`${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}
