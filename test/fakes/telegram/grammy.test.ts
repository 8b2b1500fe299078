// Proves the fake with the real grammY client: polling, offsets, webhooks, 429s, topics, media.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, GrammyError, InputFile, webhookCallback } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { FakeTelegram } from "./index.ts";

const alice = { id: 555, first_name: "Alice", language_code: "en", username: "alice" };
const agent = { id: 777, first_name: "Agent" };

let fake: FakeTelegram;
const cleanups: Array<() => Promise<void> | void> = [];

async function startFake(
  opts: Parameters<typeof FakeTelegram.start>[0] = {},
): Promise<FakeTelegram> {
  fake = await FakeTelegram.start(opts);
  cleanups.push(() => fake.close());
  return fake;
}

function newBot(f: FakeTelegram): Bot {
  const bot = new Bot(f.token, { botInfo: f.botInfo, client: { apiRoot: f.apiRoot } });
  bot.catch((err) => {
    throw err.error;
  });
  return bot;
}

/** Starts long polling and resolves once polling is running; stops in afterEach. */
async function startPolling(bot: Bot): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    bot.start({ onStart: () => resolve() }).catch(reject);
  });
  cleanups.unshift(() => bot.stop());
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`),
    ),
  );
}

async function rejection(p: Promise<unknown>): Promise<GrammyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GrammyError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("FakeTelegram with grammY", () => {
  it("long polling: bot.start() gets pushed messages and replies land in sentMessages", async () => {
    await startFake();
    const bot = newBot(fake);
    bot.command("start", (ctx) => ctx.reply(`Hi ${ctx.from?.first_name}! payload=${ctx.match}`));
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    await startPolling(bot);

    const sent = fake.sendUserMessage(alice, "/start ref42");
    expect(sent.entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    const reply = await fake.waitForMessage((m) => m.chat.id === alice.id);
    expect(reply.text).toBe("Hi Alice! payload=ref42");
    expect(reply.from?.id).toBe(fake.botInfo.id);

    fake.sendUserMessage(alice, `/start@${fake.botInfo.username}`);
    fake.sendUserMessage(alice, "hello");
    await fake.waitForMessage((m) => m.text === "echo: hello");
    expect(fake.sentMessages(alice.id).map((m) => m.text)).toEqual([
      "Hi Alice! payload=ref42",
      "Hi Alice! payload=",
      "echo: hello",
    ]);
    expect(fake.calls.some((c) => c.method === "deleteWebhook")).toBe(true);
  });

  it("bot.stop() ends a held long poll at once and confirms the offset", async () => {
    await startFake();
    const bot = newBot(fake);
    bot.on("message", (ctx) => ctx.reply("ok"));
    await startPolling(bot);
    fake.sendUserMessage(alice, "one");
    await fake.waitForMessage((m) => m.text === "ok");
    await new Promise((r) => setTimeout(r, 20)); // let grammY hold its next poll
    const t0 = Date.now();
    await bot.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(fake.pendingUpdates()).toBe(0);
    const last = fake.calls.at(-1);
    expect(last?.method).toBe("getUpdates");
    expect(last?.params).toMatchObject({ offset: fake.updateIdCounter + 1, limit: 1 });
  });

  it("offset semantics: redelivery until confirmed, and a second poll 409s the older one", async () => {
    await startFake();
    const bot = newBot(fake);
    const u1 = fake.sendUserMessage(alice, "a");
    fake.sendUserMessage(alice, "b");
    const first = await bot.api.getUpdates({ offset: 0, timeout: 0 });
    expect(first.map((u) => u.message?.text)).toEqual(["a", "b"]);
    expect(first[0]?.message?.message_id).toBe(u1.message_id);
    // Not confirmed yet: delivered again.
    expect(await bot.api.getUpdates({ timeout: 0 })).toHaveLength(2);
    expect(await bot.api.getUpdates({ timeout: 0, limit: 1 })).toHaveLength(1);
    const firstId = first[0]?.update_id as number;
    const rest = await bot.api.getUpdates({ offset: firstId + 1, timeout: 0 });
    expect(rest.map((u) => u.message?.text)).toEqual(["b"]);
    expect(fake.pendingUpdates()).toBe(1);
    // Confirm everything, then hold a poll and release it by pushing.
    const held = bot.api.getUpdates({ offset: firstId + 2, timeout: 10 });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    fake.sendUserMessage(alice, "c");
    expect((await held).map((u) => u.message?.text)).toEqual(["c"]);
    expect(Date.now() - t0).toBeLessThan(500);

    const older = bot.api.getUpdates({ offset: firstId + 3, timeout: 10 });
    await new Promise((r) => setTimeout(r, 50));
    const newer = bot.api.getUpdates({ offset: firstId + 3, timeout: 0 });
    const err = await rejection(older);
    expect(err.error_code).toBe(409);
    expect(err.description).toContain("Conflict: terminated by other getUpdates request");
    expect(await newer).toEqual([]);
  });

  it("webhook: delivers with the secret header, retries after a 500, and blocks getUpdates", async () => {
    await startFake();
    const bot = newBot(fake);
    bot.on("message:text", (ctx) => ctx.reply(`got ${ctx.message.text}`));
    const handle = webhookCallback(bot, "http", { secretToken: "s3cret" });
    const seen: Array<{ secret: unknown; status: number }> = [];
    const server = createServer((req, res) => {
      if (seen.length === 0) {
        seen.push({ secret: req.headers["x-telegram-bot-api-secret-token"], status: 500 });
        req.resume();
        res.writeHead(500).end();
        return;
      }
      seen.push({ secret: req.headers["x-telegram-bot-api-secret-token"], status: 200 });
      void handle(req, res);
    });
    const url = await listen(server);
    cleanups.push(() => new Promise((r) => server.close(() => r())));

    await bot.api.setWebhook(url, { secret_token: "s3cret" });
    const conflict = await rejection(bot.api.getUpdates({ timeout: 0 }));
    expect(conflict.error_code).toBe(409);
    expect(conflict.description).toContain("webhook is active");

    fake.sendUserMessage(alice, "one");
    fake.sendUserMessage(alice, "two");
    await fake.waitForMessage((m) => m.text === "got two");
    expect(fake.sentMessages(alice.id).map((m) => m.text)).toEqual(["got one", "got two"]);
    expect(seen).toEqual([
      { secret: "s3cret", status: 500 },
      { secret: "s3cret", status: 200 },
      { secret: "s3cret", status: 200 },
    ]);
    // The reply is sent before the webhook's 200 reaches the fake: wait for that 200.
    for (let i = 0; i < 100 && fake.webhookInfo().pending_update_count !== 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({ url, pending_update_count: 0 });
    expect(info.last_error_message).toContain("500");
    await bot.api.deleteWebhook();
    expect(await bot.api.getUpdates({ timeout: 0 })).toEqual([]);
  });

  it("429 injection: auto-retry resends after retry_after", async () => {
    await startFake();
    const bot = newBot(fake);
    bot.api.config.use(autoRetry({ maxDelaySeconds: 5, maxRetryAttempts: 3 }));
    fake.addUser(alice);
    fake.failNext("sendMessage", { error_code: 429, retry_after: 1 });
    const t0 = Date.now();
    const msg = await bot.api.sendMessage(alice.id, "after the flood");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(msg.text).toBe("after the flood");
    const sends = fake.calls.filter((c) => c.method === "sendMessage");
    expect(sends.map((c) => c.error?.error_code ?? 200)).toEqual([429, 200]);
    expect(sends[0]?.error?.description).toBe("Too Many Requests: retry after 1");
    expect(fake.sentMessages(alice.id)).toHaveLength(1);
  });

  it("rate limiter mode answers 429 with retry_after per chat", async () => {
    await startFake({ enforceLimits: { perChatPerSecond: 1 } });
    const bot = newBot(fake);
    fake.addUser(alice);
    await bot.api.sendMessage(alice.id, "one");
    const err = await rejection(bot.api.sendMessage(alice.id, "two"));
    expect(err.error_code).toBe(429);
    expect(err.parameters.retry_after).toBe(1);
    fake.enforceLimits(undefined);
    await bot.api.sendMessage(alice.id, "three");
  });

  it("403 for a user who blocked the bot; 400 for an unknown chat", async () => {
    await startFake();
    const bot = newBot(fake);
    fake.addUser(alice);
    await bot.api.sendMessage(alice.id, "welcome");
    fake.blockUser(alice.id);
    const err = await rejection(bot.api.sendMessage(alice.id, "still there?"));
    expect(err.error_code).toBe(403);
    expect(err.description).toBe("Forbidden: bot was blocked by the user");
    const unknown = await rejection(bot.api.sendMessage(424242, "hi"));
    expect([unknown.error_code, unknown.description]).toEqual([400, "Bad Request: chat not found"]);
    const updates = await bot.api.getUpdates({ timeout: 0 });
    expect(updates.at(-1)?.my_chat_member?.new_chat_member.status).toBe("kicked");
  });

  it("forum topics: create, send, agent reply, close, delete → message thread not found", async () => {
    await startFake();
    const bot = newBot(fake);
    const group = fake.createForumGroup({
      title: "Support",
      members: [{ user: agent, status: "administrator" }],
    });
    const topic = await bot.api.createForumTopic(group.id, "Ticket #42");
    expect(topic).toMatchObject({ name: "Ticket #42", icon_color: 7322096 });
    const tid = topic.message_thread_id;

    const m = await bot.api.sendMessage(group.id, "New ticket", {
      message_thread_id: tid,
      reply_markup: { inline_keyboard: [[{ text: "Close", callback_data: "close:42" }]] },
    });
    expect(m).toMatchObject({
      message_thread_id: tid,
      is_topic_message: true,
      chat: { is_forum: true },
    });
    expect(m.reply_to_message?.forum_topic_created?.name).toBe("Ticket #42");

    const seen: string[] = [];
    bot.on("message:text", (ctx) => {
      seen.push(`${ctx.message.message_thread_id}:${ctx.message.text}`);
    });
    bot.on("callback_query:data", (ctx) =>
      ctx.answerCallbackQuery({ text: `ok ${ctx.callbackQuery.data}` }),
    );
    await startPolling(bot);
    fake.sendGroupMessage(group.id, agent, "On it", { message_thread_id: tid });
    const qid = fake.pressButton(agent, m, "close:42");
    await fake.waitForCall("answerCallbackQuery");
    expect(seen).toEqual([`${tid}:On it`]);
    expect(fake.callbackAnswers).toMatchObject([{ callback_query_id: qid, text: "ok close:42" }]);
    const again = await rejection(bot.api.answerCallbackQuery(qid));
    expect(again.description).toContain("query is too old");

    await bot.api.closeForumTopic(group.id, tid);
    const closed = await rejection(bot.api.sendMessage(group.id, "x", { message_thread_id: tid }));
    expect(closed.description).toBe("Bad Request: TOPIC_CLOSED");
    await bot.api.reopenForumTopic(group.id, tid);
    await bot.api.editForumTopic(group.id, tid, { name: "Ticket #42 (VIP)" });
    await bot.api.deleteForumTopic(group.id, tid);
    const gone = await rejection(bot.api.sendMessage(group.id, "x", { message_thread_id: tid }));
    expect([gone.error_code, gone.description]).toEqual([
      400,
      "Bad Request: message thread not found",
    ]);
    expect(fake.topic(group.id, tid)).toMatchObject({ name: "Ticket #42 (VIP)", deleted: true });

    const t2 = await bot.api.createForumTopic(group.id, "Ticket #43");
    fake.deleteTopicByHand(group.id, t2.message_thread_id);
    const byHand = await rejection(
      bot.api.sendMessage(group.id, "x", { message_thread_id: t2.message_thread_id }),
    );
    expect(byHand.description).toBe("Bad Request: message thread not found");
    const notForum = await rejection(bot.api.createForumTopic(alice.id, "nope"));
    expect(notForum.error_code).toBe(400);
  });

  it("copyMessage of a customer photo into a topic; multipart upload and getFile download", async () => {
    await startFake();
    const bot = newBot(fake);
    const group = fake.createForumGroup({ title: "Support" });
    const { message_thread_id: tid } = await bot.api.createForumTopic(group.id, "Ticket #7");
    const photo = fake.sendUserMedia(alice, "photo", { caption: "my broken router" });

    const copy = await bot.api.copyMessage(group.id, alice.id, photo.message_id, {
      message_thread_id: tid,
    });
    const [copied] = fake.sentMessages(group.id, tid);
    expect(copied?.message_id).toBe(copy.message_id);
    expect(copied).toMatchObject({
      via: "copyMessage",
      caption: "my broken router",
      message_thread_id: tid,
    });
    expect(copied?.photo?.at(-1)?.file_id).toBe(photo.photo?.at(-1)?.file_id);
    expect(copied?.forward_origin).toBeUndefined();
    expect(copied?.from?.id).toBe(fake.botInfo.id);

    const fwd = await bot.api.forwardMessage(group.id, alice.id, photo.message_id, {
      message_thread_id: tid,
    });
    expect(fwd.forward_origin).toMatchObject({ type: "user", sender_user: { id: alice.id } });

    const bytes = new TextEncoder().encode("PNG-ish bytes");
    const up = await bot.api.sendDocument(alice.id, new InputFile(bytes, "report.txt"), {
      caption: "<b>Your</b> report",
      parse_mode: "HTML",
    });
    expect(up.document).toMatchObject({ file_name: "report.txt", file_size: bytes.length });
    const file = await bot.api.getFile(up.document?.file_id as string);
    const res = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    expect(fake.sentMessages(alice.id)[0]).toMatchObject({
      caption: "<b>Your</b> report",
      parse_mode: "HTML",
    });
  });

  it("HTML parse_mode rejects unbalanced markup; escaped text passes", async () => {
    await startFake();
    const bot = newBot(fake);
    fake.addUser(alice);
    const err = await rejection(
      bot.api.sendMessage(alice.id, "<b>unclosed", { parse_mode: "HTML" }),
    );
    expect(err.error_code).toBe(400);
    expect(err.description).toMatch(/^Bad Request: can't parse entities: /);
    const unknown = await rejection(
      bot.api.sendMessage(alice.id, "a <script>x</script>", { parse_mode: "HTML" }),
    );
    expect(unknown.description).toContain('Unsupported start tag "script"');
    const ok = await bot.api.sendMessage(alice.id, "<b>1 &lt; 2</b> &amp; <i>fine</i>", {
      parse_mode: "HTML",
    });
    expect(ok.text).toBe("<b>1 &lt; 2</b> &amp; <i>fine</i>");
    const md = await rejection(
      bot.api.sendMessage(alice.id, "Price: 1.50", { parse_mode: "MarkdownV2" }),
    );
    expect(md.description).toContain("Character '.' is reserved");
    await bot.api.sendMessage(alice.id, "Price: *1\\.50*", { parse_mode: "MarkdownV2" });
    const long = await rejection(bot.api.sendMessage(alice.id, "x".repeat(4097)));
    expect(long.description).toBe("Bad Request: message is too long");
    const empty = await rejection(bot.api.sendMessage(alice.id, ""));
    expect(empty.description).toBe("Bad Request: message text is empty");
  });
});
