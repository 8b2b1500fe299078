// The desk survives kill -9: after a restart the relay works and timers scheduled before the
// kill (first-response reminder, auto-close warning and close) fire, once each.
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { type BotProcess, spawnBot } from "../support/bot-process.ts";
import { ALL_WEEK, deskFlowsDir } from "../support/desk-flows.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

let redis: Redis;
let fake: FakeTelegram | undefined;
const children: BotProcess[] = [];
const prefix = testPrefix("desk-crash");

beforeAll(() => {
  redis = connectTestRedis();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.child.kill("SIGKILL");
    await c.exited;
  }
  await fake?.close();
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  await redis.quit();
});

async function until<T>(
  get: () => T | undefined | false,
  ms: number,
  what: string,
  logs: () => string = () => "",
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("desk crash safety on the real binary", () => {
  it("kill -9 while tickets are open: relay and every timer still work after restart", async () => {
    const f = await FakeTelegram.start();
    fake = f;
    const anna = { id: 9101, first_name: "Anna", language_code: "en" };
    const group = f.createForumGroup({
      title: "Desk",
      members: [{ user: anna, status: "member" }],
    });
    const flowsDir = deskFlowsDir({
      hours: ALL_WEEK,
      firstResponseSlaMinutes: 0.12,
      autoCloseAfterMinutes: 0.25,
      autoCloseWarningMinutes: 0.1,
      agents: [
        {
          id: `telegram:${anna.id}`,
          alias: "Anna",
          skills: ["general"],
          languages: ["en"],
          capacity: 5,
        },
      ],
    });
    const env = {
      TELEGRAM_BOT_TOKEN: f.token,
      TELEGRAM_API_ROOT: f.apiRoot,
      REDIS_PREFIX: prefix,
      FLOWS_DIR: flowsDir,
      TELEGRAM_AGENT_CHAT_ID: String(group.id),
    };
    const waiting = { id: 71_001, first_name: "Wanda", language_code: "en" };
    const answered = { id: 71_002, first_name: "Abel", language_code: "en" };
    f.addUser(waiting);
    f.addUser(answered);
    const texts = (chat: number, thread?: number) =>
      f.sentMessages(chat, thread).map((m) => m.text ?? "");
    const first = spawnBot(env);
    children.push(first);

    f.sendUserMessage(answered, "/human");
    const topicB = await until(
      () => f.topics(group.id)[0],
      20_000,
      "the first topic",
      first.output,
    );
    f.sendGroupMessage(group.id, anna, "Hi Abel, can you send a screenshot?", {
      message_thread_id: topicB.message_thread_id,
    });
    await until(
      () => texts(answered.id).some((t) => t.startsWith("Anna: Hi Abel")),
      10_000,
      "the reply to Abel",
      first.output,
    );
    f.sendUserMessage(waiting, "/human");
    const topicW = await until(
      () => f.topics(group.id)[1],
      10_000,
      "the second topic",
      first.output,
    );
    // Killed with the ticket open, not mid-way through creating its topic (that one call has no
    // idempotency key on Telegram's side; the window is as small as the call).
    await until(
      () =>
        f
          .sentMessages(group.id, topicW.message_thread_id)
          .some((m) => /Ticket #2/.test(m.text ?? "")),
      10_000,
      "the second card",
      first.output,
    );

    first.child.kill("SIGKILL");
    await first.exited;
    const second = spawnBot(env);
    children.push(second);

    // Timer scheduled before the kill: the reminder for the unanswered ticket, once.
    await until(
      () => texts(group.id, topicW.message_thread_id).some((t) => t.startsWith("⏰")),
      30_000,
      "the SLA reminder",
      second.output,
    );
    // Relay after restart, both ways.
    f.sendGroupMessage(group.id, anna, "Hello Wanda, sorry for the wait!", {
      message_thread_id: topicW.message_thread_id,
    });
    await until(
      () => texts(waiting.id).includes("Anna: Hello Wanda, sorry for the wait!"),
      10_000,
      "the relay to Wanda",
      second.output,
    );
    f.sendUserMessage(waiting, "No problem");
    await until(
      () => texts(group.id, topicW.message_thread_id).some((t) => t.includes("No problem")),
      10_000,
      "the relay to the topic",
      second.output,
    );
    // Timers scheduled before the kill for Abel: the auto-close warning, then the close.
    await until(
      () => texts(answered.id).some((t) => /haven't heard from you/.test(t)),
      30_000,
      "the auto-close warning",
      second.output,
    );
    await until(
      () => texts(answered.id).some((t) => /is closed/.test(t)),
      30_000,
      "the auto-close",
      second.output,
    );
    await new Promise((r) => setTimeout(r, 1_500));

    expect(texts(group.id, topicW.message_thread_id).filter((t) => t.startsWith("⏰")).length).toBe(
      1,
    );
    expect(texts(answered.id).filter((t) => /haven't heard from you/.test(t)).length).toBe(1);
    expect(texts(answered.id).filter((t) => /is closed/.test(t)).length).toBe(1);
    expect(f.calls.filter((c) => c.method === "createForumTopic").length).toBe(2);
  }, 150_000);
});
