// A ticket's thread in the workspace: made once with its card, posted into idempotently,
// made again when someone deleted it, paced by the workspace's lane limit.
import { DeliveryError, ThreadGoneError, ThreadHalfOpenError } from "../core/errors.ts";
import type { OutboundMessage } from "../core/types.ts";
import { splitText } from "../outbox/split.ts";
import { cardMessage } from "./card.ts";
import type { DeskContext } from "./context.ts";
import { headerOf, type Ticket } from "./ticket.ts";

/** Posts marked done are remembered this long (a lane retries within minutes). */
const POSTED_TTL_SECONDS = 7 * 86_400;
/** Waits shorter than this are slept in place; longer ones retry the item later. */
const SLEEP_IN_PLACE_MS = 1_500;

/** The ticket's thread with its card, made if needed; returns the thread id. */
export async function ensureThread(c: DeskContext, t: Ticket): Promise<string> {
  const ws = c.workspace;
  if (t.workspace?.cardMessageId && t.workspace.id === ws.id) return t.workspace.threadId;
  const resume = t.workspace?.id === ws.id ? t.workspace.threadId : undefined;
  const card = cardMessage(t, await c.store.transcript(t.number), ws.limits.textLength);
  await pace(c);
  try {
    const thread = await ws.openThread(headerOf(t, ws.limits.titleLength), card, {
      idempotencyKey: `desk:open:${t.number}:${t.reopened}`,
      ...(resume ? { resumeThreadId: resume } : {}),
    });
    t.workspace = { id: ws.id, ...thread };
  } catch (err) {
    if (err instanceof ThreadGoneError && resume) {
      // The half-made thread was deleted by hand meanwhile: forget it and make a new one.
      await c.store.forgetThread(ws.id, resume);
      delete t.workspace;
      await c.store.save(t);
      return ensureThread(c, t);
    }
    if (!(err instanceof ThreadHalfOpenError)) throw err;
    // The thread exists but its card did not go out: remember it, so the retry posts the card
    // there instead of making a second thread.
    t.workspace = { id: ws.id, threadId: err.threadId };
    await c.store.save(t);
    throw err.cause;
  }
  await c.store.save(t);
  return t.workspace.threadId;
}

/**
 * Posts into the ticket's thread once per `key`: a re-run of the same step finds the post
 * marked done and skips it (only a post in flight at a crash can repeat). Long text in parts.
 */
export async function postOnce(
  c: DeskContext,
  t: Ticket,
  key: string,
  message: OutboundMessage,
): Promise<void> {
  const max = c.workspace.limits.textLength;
  const parts = message.media
    ? [message]
    : splitText(message.text, max).map((text, i, all) =>
        i === all.length - 1 ? { ...message, text } : { text },
      );
  for (const [i, part] of parts.entries()) {
    const partKey = `${c.d.prefix}desk:posted:${key}${parts.length > 1 ? `#${i}` : ""}`;
    if (await c.d.redis.exists(partKey)) continue;
    await postPart(c, t, partKey, part);
    await c.d.redis.set(partKey, "1", "EX", POSTED_TTL_SECONDS);
  }
}

async function postPart(
  c: DeskContext,
  t: Ticket,
  key: string,
  message: OutboundMessage,
): Promise<void> {
  const threadId = await ensureThread(c, t);
  await pace(c);
  try {
    await c.workspace.post(threadId, message, { idempotencyKey: key });
  } catch (err) {
    if (!(err instanceof ThreadGoneError)) throw err;
    c.d.logger?.warn({ ticket: t.number }, "ticket thread was deleted; making a new one");
    await c.store.forgetThread(c.workspace.id, threadId);
    delete t.workspace;
    const fresh = await ensureThread(c, t);
    await pace(c);
    await c.workspace.post(fresh, message, { idempotencyKey: key });
  }
}

/** Shows the ticket's state in the workspace (topic name, card, tags); cosmetic, never fatal. */
export async function showStatus(c: DeskContext, t: Ticket): Promise<void> {
  const ws = c.workspace;
  if (!t.workspace?.cardMessageId || t.workspace.id !== ws.id) return;
  const card = cardMessage(t, await c.store.transcript(t.number), ws.limits.textLength);
  await ws
    .showStatus(
      { threadId: t.workspace.threadId, cardMessageId: t.workspace.cardMessageId },
      headerOf(t, ws.limits.titleLength),
      card,
    )
    .catch((err) => c.d.logger?.warn({ err: String(err) }, "could not show the ticket's status"));
}

export async function closeThread(c: DeskContext, t: Ticket): Promise<void> {
  if (t.workspace?.id !== c.workspace.id) return;
  await c.workspace
    .closeThread(t.workspace.threadId)
    .catch((err) => c.d.logger?.warn({ err: String(err) }, "could not close the ticket thread"));
}

export async function reopenThread(c: DeskContext, t: Ticket): Promise<void> {
  if (t.workspace?.id !== c.workspace.id) return;
  await c.workspace
    .reopenThread(t.workspace.threadId)
    .catch((err) => c.d.logger?.warn({ err: String(err) }, "could not reopen the ticket thread"));
}

/** Posts into the workspace's general place (a ticket without a thread, a failure notice). */
export async function postGeneral(c: DeskContext, key: string, text: string): Promise<void> {
  const markKey = `${c.d.prefix}desk:posted:${key}`;
  if (await c.d.redis.exists(markKey)) return;
  await pace(c);
  await c.workspace.post(undefined, { text }, { idempotencyKey: key });
  await c.d.redis.set(markKey, "1", "EX", POSTED_TTL_SECONDS);
}

/** The workspace shares the outbox's bucket for its lane (Telegram: 20/min per group). */
async function pace(c: DeskContext): Promise<void> {
  const { lane, limit } = c.workspace.pacing;
  const key = c.d.outbox.bucketKey(lane);
  for (;;) {
    const wait = await c.d.limiter.take(key, limit);
    if (wait === 0) return;
    if (wait > SLEEP_IN_PLACE_MS)
      throw new DeliveryError("rate_limited", "agent chat rate limit", wait);
    await new Promise((r) => setTimeout(r, wait));
  }
}
