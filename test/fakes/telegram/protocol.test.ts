// Protocol-level checks of the fake over plain fetch: routing, envelopes, bodies, state methods.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FakeTelegram } from "./index.ts";

const alice = { id: 555, first_name: "Alice" };
const bob = { id: 556, first_name: "Bob" };
const agent = { id: 777, first_name: "Agent" };

let fake: FakeTelegram | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(): Promise<FakeTelegram> {
  fake = await FakeTelegram.start({ token: "42:secret-token", username: "helpdesk_bot" });
  return fake;
}

type Envelope = {
  ok: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Bot API JSON
  result?: any;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
};

async function api(
  f: FakeTelegram,
  method: string,
  body?: unknown,
): Promise<Envelope & { status: number }> {
  const res = await fetch(`${f.apiRoot}/bot${f.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  return { status: res.status, ...((await res.json()) as Envelope) };
}

describe("FakeTelegram protocol", () => {
  it("routes by token and method (case-insensitive, /test/, GET query, urlencoded)", async () => {
    const f = await start();
    expect(f.botInfo).toMatchObject({ id: 42, is_bot: true, username: "helpdesk_bot" });
    expect(f.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const bad = await fetch(`${f.apiRoot}/bot41:nope/getMe`);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });

    const missing = await api(f, "sendCarrierPigeon");
    expect(missing).toEqual({
      status: 404,
      ok: false,
      error_code: 404,
      description: "Not Found: method not found",
    });

    expect((await api(f, "GETME")).result.id).toBe(42);
    const testEnv = await fetch(`${f.apiRoot}/bot${f.token}/test/getMe`);
    expect(((await testEnv.json()) as Envelope).result.username).toBe("helpdesk_bot");

    f.addUser(alice);
    const get = await fetch(`${f.apiRoot}/bot${f.token}/sendMessage?chat_id=555&text=hi%20there`);
    expect(((await get.json()) as Envelope).result.text).toBe("hi there");
    const form = await fetch(`${f.apiRoot}/bot${f.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        chat_id: "555",
        text: "pick",
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] }),
      }),
    });
    const sent = ((await form.json()) as Envelope).result;
    expect(sent.reply_markup.inline_keyboard[0][0].callback_data).toBe("a");
    expect(f.calls.map((c) => c.method)).toEqual([
      "sendCarrierPigeon",
      "getMe",
      "getMe",
      "sendMessage",
      "sendMessage",
    ]);
  });

  it("parses multipart uploads sent with standard FormData", async () => {
    const f = await start();
    f.addUser(alice);
    const fd = new FormData();
    fd.set("chat_id", "555");
    fd.set("caption", "scan");
    fd.set("photo", new Blob([new Uint8Array([1, 2, 3])]), "scan.jpg");
    const res = await fetch(`${f.apiRoot}/bot${f.token}/sendPhoto`, { method: "POST", body: fd });
    const body = (await res.json()) as Envelope;
    expect(body.ok).toBe(true);
    expect(body.result.photo).toHaveLength(2);
    expect(body.result.caption).toBe("scan");
  });

  it("keyboards, edits, not-modified, deletes, callback answers", async () => {
    const f = await start();
    f.addUser(alice);
    const tooLong = await api(f, "sendMessage", {
      chat_id: alice.id,
      text: "x",
      reply_markup: { inline_keyboard: [[{ text: "A", callback_data: "x".repeat(65) }]] },
    });
    expect(tooLong.description).toBe("Bad Request: BUTTON_DATA_INVALID");

    const kb = { inline_keyboard: [[{ text: "Yes", callback_data: "yes" }]] };
    const m = (await api(f, "sendMessage", { chat_id: alice.id, text: "Sure?", reply_markup: kb }))
      .result;
    expect(() => f.pressButton(alice, m, "no")).toThrow(/has no button "no"/);
    const qid = f.pressButton(alice, m, "yes");
    expect((await api(f, "answerCallbackQuery", { callback_query_id: qid, text: "done" })).ok).toBe(
      true,
    );
    expect((await api(f, "answerCallbackQuery", { callback_query_id: qid })).error_code).toBe(400);
    expect((await api(f, "answerCallbackQuery", { callback_query_id: "nope" })).description).toBe(
      "Bad Request: query is too old and response timeout expired or query ID is invalid",
    );

    const same = await api(f, "editMessageText", {
      chat_id: alice.id,
      message_id: m.message_id,
      text: "Sure?",
      reply_markup: kb,
    });
    expect(same.description).toContain("message is not modified");
    const edited = await api(f, "editMessageText", {
      chat_id: alice.id,
      message_id: m.message_id,
      text: "Done",
    });
    expect(edited.result).toMatchObject({ text: "Done" });
    expect(edited.result.reply_markup).toBeUndefined();
    expect(edited.result.edit_date).toBeTypeOf("number");
    const rm = await api(f, "editMessageReplyMarkup", {
      chat_id: alice.id,
      message_id: m.message_id,
      reply_markup: kb,
    });
    expect(rm.result.reply_markup).toEqual(kb);
    expect(f.sentMessages(alice.id).map((x) => x.text)).toEqual(["Done"]);

    const userMsg = f.sendUserMessage(alice, "typo");
    expect(
      (
        await api(f, "editMessageText", {
          chat_id: alice.id,
          message_id: userMsg.message_id,
          text: "x",
        })
      ).description,
    ).toBe("Bad Request: message can't be edited");
    f.editUserMessage(userMsg, "fixed");
    expect(f.message(alice.id, userMsg.message_id)).toMatchObject({ text: "fixed" });

    expect(
      (await api(f, "deleteMessage", { chat_id: alice.id, message_id: m.message_id })).result,
    ).toBe(true);
    expect(
      (await api(f, "deleteMessage", { chat_id: alice.id, message_id: m.message_id })).description,
    ).toBe("Bad Request: message to delete not found");
    expect(f.sentMessages(alice.id)).toEqual([]);
  });

  it("members, admins, chat info, and the bot's reach", async () => {
    const f = await start();
    const group = f.createForumGroup({
      title: "Desk",
      members: [
        { user: { id: 1, first_name: "Owner" }, status: "creator" },
        { user: agent, status: "administrator" },
      ],
    });
    expect(group.id).toBeLessThan(-1_000_000_000_000);
    const admins = (await api(f, "getChatAdministrators", { chat_id: group.id })).result;
    expect(admins.map((a: { user: { id: number } }) => a.user.id).sort()).toEqual([1, 42, 777]);
    const me = (await api(f, "getChatMember", { chat_id: group.id, user_id: 42 })).result;
    expect(me).toMatchObject({ status: "administrator", can_manage_topics: true });
    expect((await api(f, "getChat", { chat_id: group.id })).result).toMatchObject({
      type: "supergroup",
      is_forum: true,
      title: "Desk",
    });

    // An agent who never started the bot cannot be messaged privately.
    const dm = await api(f, "sendMessage", { chat_id: agent.id, text: "psst" });
    expect([dm.error_code, dm.description]).toEqual([
      403,
      "Forbidden: bot can't initiate conversation with a user",
    ]);

    expect((await api(f, "banChatMember", { chat_id: group.id, user_id: agent.id })).ok).toBe(true);
    expect(f.memberStatus(group.id, agent.id)).toBe("kicked");
    f.removeMember(group.id, f.botInfo.id, { ban: true });
    const kicked = await api(f, "sendMessage", { chat_id: group.id, text: "hello?" });
    expect([kicked.error_code, kicked.description]).toEqual([
      403,
      "Forbidden: bot was kicked from the supergroup chat",
    ]);
  });

  it("commands per scope and language", async () => {
    const f = await start();
    const cmds = [{ command: "start", description: "Start" }];
    await api(f, "setMyCommands", { commands: cmds });
    await api(f, "setMyCommands", {
      commands: [{ command: "hilfe", description: "Hilfe" }],
      language_code: "de",
    });
    await api(f, "setMyCommands", {
      commands: [{ command: "queue", description: "Open tickets" }],
      scope: { type: "chat", chat_id: -100 },
    });
    expect((await api(f, "getMyCommands")).result).toEqual(cmds);
    expect((await api(f, "getMyCommands", { language_code: "de" })).result[0].command).toBe(
      "hilfe",
    );
    expect(f.commands({ type: "chat", chat_id: -100 })[0]?.command).toBe("queue");
    expect(
      (await api(f, "setMyCommands", { commands: [{ command: "Bad-Name", description: "x" }] }))
        .description,
    ).toBe("Bad Request: BOT_COMMAND_INVALID");
    await api(f, "deleteMyCommands", { language_code: "de" });
    expect((await api(f, "getMyCommands", { language_code: "de" })).result).toEqual([]);
  });

  it("failNext, failWhen, waitFor with a cursor, reset", async () => {
    const f = await start();
    f.addUser(alice);
    f.addUser(bob);
    f.failNext("sendMessage", { error_code: 500, times: 2 });
    expect((await api(f, "sendMessage", { chat_id: alice.id, text: "1" })).status).toBe(500);
    expect((await api(f, "sendMessage", { chat_id: alice.id, text: "2" })).status).toBe(500);
    expect((await api(f, "sendMessage", { chat_id: alice.id, text: "3" })).ok).toBe(true);

    const off = f.failWhen(({ method, params }) =>
      method === "sendMessage" && params.chat_id === bob.id
        ? { error_code: 400, description: "Bad Request: nope" }
        : undefined,
    );
    expect((await api(f, "sendMessage", { chat_id: bob.id, text: "x" })).description).toBe(
      "Bad Request: nope",
    );
    off();
    const cursor = f.cursor();
    await api(f, "sendMessage", { chat_id: bob.id, text: "y" });
    const hit = await f.waitForMessage((m) => m.chat.id === bob.id, 100, { since: cursor });
    expect(hit.text).toBe("y");
    await expect(f.waitFor((c) => c.method === "never", 30)).rejects.toThrow(/nothing matched/);

    const lastId = f.updateIdCounter;
    f.sendUserMessage(alice, "pending");
    f.reset();
    expect(f.calls).toEqual([]);
    expect(f.pendingUpdates()).toBe(0);
    f.sendUserMessage(alice, "after reset");
    expect(f.updateIdCounter).toBe(lastId + 2);
  });

  it("agents' topic messages carry thread id and the creation message; media too", async () => {
    const f = await start();
    const group = f.createForumGroup({
      title: "Desk",
      members: [{ user: agent, status: "member" }],
    });
    const topic = (
      await api(f, "createForumTopic", {
        chat_id: group.id,
        name: "Ticket #1",
        icon_color: 16766590,
      })
    ).result;
    const tid = topic.message_thread_id;
    const msg = f.sendGroupMessage(group.id, agent, "/close@helpdesk_bot now", {
      message_thread_id: tid,
    });
    expect(msg).toMatchObject({
      message_thread_id: tid,
      is_topic_message: true,
      chat: { id: group.id, type: "supergroup", is_forum: true },
      reply_to_message: {
        message_id: tid,
        forum_topic_created: { name: "Ticket #1", icon_color: 16766590 },
      },
      entities: [{ type: "bot_command", offset: 0, length: 19 }],
    });
    const doc = f.sendGroupMedia(group.id, agent, "document", {
      message_thread_id: tid,
      caption: "logs",
      file_name: "a.log",
    });
    expect(doc.document?.file_name).toBe("a.log");
    const reply = f.sendGroupMessage(group.id, agent, "see above", {
      reply_to_message_id: doc.message_id,
    });
    expect(reply.message_thread_id).toBe(tid);
    expect(reply.reply_to_message?.message_id).toBe(doc.message_id);
    const updates = (await api(f, "getUpdates", {})).result;
    expect(updates.map((u: { message: { message_id: number } }) => u.message.message_id)).toEqual([
      msg.message_id,
      doc.message_id,
      reply.message_id,
    ]);
    f.closeTopicByHand(group.id, tid, agent);
    expect(f.topic(group.id, tid)?.closed).toBe(true);
    expect(() => f.sendGroupMessage(group.id, agent, "x", { message_thread_id: tid })).toThrow(
      /closed/,
    );
  });

  it("webhook with max_connections > 1 keeps per-chat order", async () => {
    const f = await start();
    const got: Array<{ chat: number; text: string }> = [];
    let inflight = 0;
    let maxInflight = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        inflight++;
        maxInflight = Math.max(maxInflight, inflight);
        const u = JSON.parse(Buffer.concat(chunks).toString());
        setTimeout(
          () => {
            inflight--;
            got.push({ chat: u.message.chat.id, text: u.message.text });
            res.writeHead(200).end();
          },
          30 + Math.random() * 20,
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await api(f, "setWebhook", { url, max_connections: 4 });
      for (let i = 0; i < 5; i++)
        for (const u of [alice, bob, agent]) f.sendUserMessage(u, `m${i}`);
      const deadline = Date.now() + 10_000;
      while (got.length < 15 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const u of [alice, bob, agent]) {
        expect(got.filter((g) => g.chat === u.id).map((g) => g.text)).toEqual([
          "m0",
          "m1",
          "m2",
          "m3",
          "m4",
        ]);
      }
      expect(maxInflight).toBeGreaterThan(1);
      expect(maxInflight).toBeLessThanOrEqual(3);
      // The last update counts as pending until the fake has read our 200 for it.
      for (let i = 0; i < 100 && f.webhookInfo().pending_update_count !== 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(f.webhookInfo()).toMatchObject({ url, pending_update_count: 0, max_connections: 4 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("close() releases a held long poll immediately", async () => {
    const f = await start();
    const poll = api(f, "getUpdates", { timeout: 30 });
    await new Promise((r) => setTimeout(r, 30));
    const t0 = Date.now();
    await f.close();
    expect((await poll).result).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
