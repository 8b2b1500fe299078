// Every shipped conversation test (flows/tests/*.test.yaml), replayed over Telegram: real
// grammY, the fake Bot API, real Redis. Customers type, press inline buttons and send
// commands; what they see must match each turn's `says`, `notSays` and `buttons`.
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FlowTestFile, findTestFiles } from "../../src/cli/test-flows.ts";
import { IntentRouter } from "../../src/engine/router.ts";
import { loadFlows } from "../../src/flows/load.ts";
import { FakeTelegram, type SentMessage } from "../fakes/telegram/index.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";
import { startTelegramBot } from "../support/telegram-bot.ts";

let redis: Redis;
let fake: FakeTelegram;
let stop: () => Promise<void>;
const prefix = testPrefix("tg-flows");
const fast = {
  global: { burst: 10_000, perSecond: 10_000 },
  private: { burst: 1_000, perSecond: 1_000 },
};

beforeAll(async () => {
  redis = connectTestRedis();
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("shipped flows invalid");
  fake = await FakeTelegram.start();
  // As in production: a desk takes the hand-overs (without one, flows never promise a person).
  const desk = fake.createForumGroup({ title: "Desk" });
  const bot = await startTelegramBot({
    fake,
    redis,
    prefix,
    flows: loaded.flowSet,
    router: new IntentRouter(loaded.flowSet),
    channelLimits: { ...fast, group: { burst: 1_000, perSecond: 1_000 } },
    agentChatId: String(desk.id),
  });
  stop = bot.stop;
});
afterAll(async () => {
  await stop();
  await fake.close();
  await dropPrefix(redis, prefix);
  await redis.quit();
});

const cases = findTestFiles("flows").flatMap((file) =>
  FlowTestFile.parse(parse(readFileSync(file, "utf8"))).cases.map((c) => ({ file, ...c })),
);
let nextUser = 200_000;

const buttonsOf = (m: SentMessage) =>
  (
    (m.sent_reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] })
      ?.inline_keyboard ?? []
  ).flat();

/** The bot's reply to one customer action: every message until it has been quiet a moment. */
async function replyAfter(userId: number, before: number): Promise<SentMessage[]> {
  const started = Date.now();
  let seen = before;
  let quietSince = Date.now();
  for (;;) {
    const now = fake.sentMessages(userId).length;
    if (now !== seen) {
      seen = now;
      quietSince = Date.now();
    }
    if (seen > before && Date.now() - quietSince > 250)
      return fake.sentMessages(userId).slice(before);
    if (Date.now() - started > 10_000) throw new Error("no reply within 10 s");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("shipped conversation tests over Telegram", () => {
  it.concurrent.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const user = { id: nextUser++, first_name: "Alex", language_code: testCase.locale ?? "en" };
    fake.addUser(user);
    let last: SentMessage[] = [];
    for (const [i, turn] of testCase.turns.entries()) {
      const before = fake.sentMessages(user.id).length;
      if ("user" in turn) fake.sendUserMessage(user, turn.user);
      else if ("command" in turn) fake.sendUserMessage(user, turn.command);
      else {
        const shown = last.flatMap((m) => buttonsOf(m).map((b) => ({ ...b, message: m })));
        const wanted = turn.press.toLowerCase();
        const button = /^\d+$/.test(wanted)
          ? shown[Number(wanted) - 1]
          : shown.find((b) => b.text.toLowerCase() === wanted);
        expect(
          button,
          `turn ${i + 1}: a button "${turn.press}" among ${shown.map((b) => b.text).join(", ")}`,
        ).toBeDefined();
        fake.pressButton(user, button!.message, button!.callback_data);
      }
      last = await replyAfter(user.id, before);
      const text = last
        .map((m) => m.text ?? "")
        .join("\n")
        .toLowerCase();
      const labels = last.flatMap((m) => buttonsOf(m).map((b) => b.text.toLowerCase()));
      for (const s of turn.expect?.says ?? [])
        expect(text, `turn ${i + 1} says "${s}"`).toContain(s.toLowerCase());
      for (const s of turn.expect?.notSays ?? [])
        expect(text, `turn ${i + 1} must not say "${s}"`).not.toContain(s.toLowerCase());
      for (const b of turn.expect?.buttons ?? [])
        expect(labels, `turn ${i + 1} shows "${b}"`).toContain(b.toLowerCase());
      for (const m of last) expect(m.parse_mode).toBe("HTML");
    }
  });
});
